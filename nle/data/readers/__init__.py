"""Pure readers, one per original file format: path in, typed records (``nle.types``) out.

Each reader module is re-exported below with one import line; to add a reader, add one line (keep them sorted
by module name so that ``ruff`` stays quiet).
"""

from nle.data.readers.mrc_explanations import read_mrc_explanations  # noqa: F401
from nle.data.readers.next_explanations import NEXT_TASKS, link_semeval_explanations, read_next_explanations  # noqa: F401
from nle.data.readers.remote import (  # noqa: F401
    MPQAEntry,
    read_identity_lexicon,
    read_lexicon,
    read_mpqa_lexicon,
    read_remote_explanations,
)
from nle.data.readers.semeval2010 import SEMEVAL2010_LABELS, read_semeval2010, read_semeval2010_keys  # noqa: F401
from nle.data.readers.squad import read_squad, squad_articles  # noqa: F401
from nle.data.readers.tacred import TACRED_LABELS, read_tacred  # noqa: F401
