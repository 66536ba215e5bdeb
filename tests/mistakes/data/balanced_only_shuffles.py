"""Mistake: a "balanced" loader that only shuffles (class shares stay as in y)

TASK: balanced_loader
PITFALL: ``shuffle=True`` only reorders: class 1 is still 10 % of every epoch
"""


def balanced_loader(X, y, batch_size, seed=0) -> DataLoader:
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                      generator=torch.Generator().manual_seed(seed))
