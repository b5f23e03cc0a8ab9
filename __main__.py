"""The Pulumi program: this stack's model (stacks/Pulumi.<stack>.yaml) -> components -> a few outputs."""

from components.model import load_model
from components.stack import build, export

export(build(load_model()))
