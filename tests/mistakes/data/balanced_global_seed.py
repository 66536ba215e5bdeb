"""Mistake: torch.manual_seed(seed) instead of a sampler generator of its own (it draws later, from the global RNG)

TASK: balanced_loader
PITFALL: Seed the sampler's own generator; ``torch.manual_seed`` before building the loader does not fix the order of a later epoch.
KEEPS: test_balanced_loader_evens_out_two_classes, test_balanced_loader_three_classes_any_labels
"""


def balanced_loader(X, y, batch_size, seed=0) -> DataLoader:
    torch.manual_seed(seed)
    _, inverse, counts = torch.unique(y, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[inverse].double()
    sampler = WeightedRandomSampler(weights, num_samples=len(y), replacement=True)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, sampler=sampler)
