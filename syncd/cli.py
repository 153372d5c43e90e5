"""The `syncd` command."""

import click


@click.group()
def main() -> None:
    """syncd: lead-scoring sync daemon."""


if __name__ == "__main__":
    main()
