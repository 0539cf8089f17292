"""The domain's vocabulary: plain data and the rules on it (users, keys, operations, sessions, actions)."""
