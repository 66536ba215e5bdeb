"""Mistake: classifies output[:, 0], the state after the first token

TASK: SequenceClassifier
PITFALL: ``output[:, 0]`` is the state after the *first* token only. Classify from ``h_n[-1]``
KEEPS: test_sequence_classifier_shapes
"""


class SequenceClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int, hidden: int, num_classes: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        # batch_first: inputs are (B, T, E) rather than the default (T, B, E).
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True)
        self.classifier = nn.Linear(hidden, num_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(tokens)  # (B, T) int64 -> (B, T, E)
        output, _ = self.lstm(embedded)  # output: (B, T, hidden)
        # h_n[-1] is the last layer's state after the *last* time step, the one
        # that has read the whole sequence (output[:, 0] has seen one token).
        return self.classifier(output[:, 0])
