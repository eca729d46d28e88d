"""Pure-Python core: vocabulary, validation, money, the policy engine, targets. No Qt, no I/O."""
