"""Mistake: the sampler draws without replacement: every sample once, a weighted shuffle, no balancing

TASK: balanced_loader
PITFALL: With ``replacement=False`` each sample is drawn once: a weighted shuffle, still 90/10.
"""


def balanced_loader(X, y, batch_size, seed=0) -> DataLoader:
    _, inverse, counts = torch.unique(y, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[inverse].double()
    sampler = WeightedRandomSampler(weights, num_samples=len(y), replacement=False,
                                    generator=torch.Generator().manual_seed(seed))
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, sampler=sampler)
