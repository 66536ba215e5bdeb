"""Mistake: labels collated as float32 instead of int64

TASK: pad_collate
"""


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    # pad_sequence stacks 1-D tensors of different lengths into (B, max_len),
    # filling the tail of the shorter ones with padding_value.
    padded = pad_sequence(list(seqs), batch_first=True, padding_value=0)
    labels = torch.tensor([float(label) for label in labels])
    return padded, lengths, labels
