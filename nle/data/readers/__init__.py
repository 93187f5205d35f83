"""Pure readers, one per original file format: path in, typed records (``nle.types``) out.

Each reader module is re-exported here; add new readers as one import line each.
"""

from nle.data.readers.semeval2010 import SEMEVAL2010_LABELS, read_semeval2010, read_semeval2010_keys  # noqa: F401
