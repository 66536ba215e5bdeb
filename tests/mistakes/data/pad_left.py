"""Mistake: pads at the front of the shorter sequences instead of the end

TASK: pad_collate
"""


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    # pad_sequence stacks 1-D tensors of different lengths into (B, max_len),
    # filling the tail of the shorter ones with padding_value.
    max_len = max(len(s) for s in seqs)
    padded = torch.stack([torch.cat([s.new_zeros(max_len - len(s)), s]) for s in seqs])
    labels = torch.tensor([int(label) for label in labels], dtype=torch.int64)
    return padded, lengths, labels
