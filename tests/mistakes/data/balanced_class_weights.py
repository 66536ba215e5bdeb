"""Mistake: one weight per class given to the sampler, not one per sample (it draws indices 0..K-1)

TASK: balanced_loader
PITFALL: The weights go to *samples*, one per item of the dataset, not one per class
"""


def balanced_loader(X, y, batch_size, seed=0) -> DataLoader:
    _, counts = torch.unique(y, return_counts=True)
    class_weights = 1.0 / counts.double()
    sampler = WeightedRandomSampler(class_weights, num_samples=len(y), replacement=True,
                                    generator=torch.Generator().manual_seed(seed))
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, sampler=sampler)
