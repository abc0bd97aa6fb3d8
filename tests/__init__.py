import pytest

# Before any test module imports them (the root conftest does, first): the helpers' asserts are rewritten too.
pytest.register_assert_rewrite("tests.helpers")
