"""Mistake: pads into torch.zeros(B, max_len), float32 whatever the sequences' dtype

TASK: pad_collate
KEEPS: test_pad_collate_float_sequences_and_tensor_labels
"""


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    # pad_sequence stacks 1-D tensors of different lengths into (B, max_len),
    # filling the tail of the shorter ones with padding_value.
    max_len = max(len(s) for s in seqs)
    padded = torch.zeros(len(seqs), max_len)
    for row, s in enumerate(seqs):
        padded[row, :len(s)] = s
    labels = torch.tensor([int(label) for label in labels], dtype=torch.int64)
    return padded, lengths, labels
