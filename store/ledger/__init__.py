"""The local ledger: the billing rules applied by renewals itself, in SQLite.

Orders, payments, policy moves, settings and due events for a database that is not bound to a
cloud account (made by `demo` or `import`). A database bound to a Huawei Cloud account goes
through `store.cloud` instead; `store.billing` picks one by the database's binding.
"""
