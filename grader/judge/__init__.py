"""The pytest side: the plugin that turns tests into verdicts, student handles, the static
forbidden-call check. Trusted code; never imports a submission."""
