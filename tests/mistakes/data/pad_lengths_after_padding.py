"""Mistake: lengths measured after padding (all max_len)

TASK: pad_collate
PITFALL: Record the lengths *before* padding: afterwards every row has length max_len.
"""


def pad_collate(batch):
    seqs, labels = zip(*batch)
    # pad_sequence stacks 1-D tensors of different lengths into (B, max_len),
    # filling the tail of the shorter ones with padding_value.
    padded = pad_sequence(list(seqs), batch_first=True, padding_value=0)
    lengths = torch.tensor([len(row) for row in padded], dtype=torch.int64)
    labels = torch.tensor([int(label) for label in labels], dtype=torch.int64)
    return padded, lengths, labels
