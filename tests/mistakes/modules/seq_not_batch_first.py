"""Mistake: the LSTM is not batch_first, so it reads (B, T, E) as (T, B, E)

TASK: SequenceClassifier
PITFALL: Without ``batch_first=True`` the LSTM reads (T, B, E) and would mix up batch and time.
"""


class SequenceClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int, hidden: int, num_classes: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        # batch_first: inputs are (B, T, E) rather than the default (T, B, E).
        self.lstm = nn.LSTM(embed_dim, hidden)
        self.classifier = nn.Linear(hidden, num_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(tokens)  # (B, T) int64 -> (B, T, E)
        _, (h_n, _) = self.lstm(embedded)  # h_n: (num_layers, B, hidden)
        # h_n[-1] is the last layer's state after the *last* time step, the one
        # that has read the whole sequence (output[:, 0] has seen one token).
        return self.classifier(h_n[-1])
