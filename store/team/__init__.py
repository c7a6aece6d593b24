"""Team mode: one service account owns the database and operators reach it through OpenSSH.

- `registry`: the team (operators, their roles and keys) and the `authorized_keys` lines
  that force each key to run `renewals --operator NAME`.
- `gate`: what each role lets through to the billing backend.
- `plans`: renewals saved as plans, approved by a second person, applied exactly as saved.
"""
