"""A toy connector, built the way a new CRM package is (see docs/adding-a-connector.md):
its own options model, a builder and a registration, the kit for everything that is not
the CRM's own. Its "CRM" is the in-memory CRM of the test kit (``tests.kit.memory_crm``).

It is registered through the connector registry at test time only, by the
``toy_registered`` fixture (a temporary ``*.dist-info`` on ``sys.path`` naming
``tests.connectors.toy.registration:CONNECTOR``): nothing outside this package names it.
"""
