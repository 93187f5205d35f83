"""Pure readers, one per original file format: path in, typed records (``nle.types``) out.

Each reader module is re-exported below with one import line; to add a reader, add one line (keep them sorted
by module name so that ``ruff`` stays quiet).
"""

from nle.data.readers.hate import read_ghc, read_hateval2019, read_identity_terms, read_iptts_madlibs, read_stormfront  # noqa: F401
from nle.data.readers.hatexplain import HATEXPLAIN_LABELS, read_hatexplain  # noqa: F401
from nle.data.readers.irony import read_semeval2018_irony  # noqa: F401
from nle.data.readers.movies import read_movie_rationales  # noqa: F401
from nle.data.readers.mrc_explanations import read_mrc_explanations  # noqa: F401
from nle.data.readers.next_explanations import NEXT_TASKS, link_semeval_explanations, read_next_explanations  # noqa: F401
from nle.data.readers.remote import (  # noqa: F401
    MPQAEntry,
    read_identity_lexicon,
    read_lexicon,
    read_mpqa_lexicon,
    read_remote_explanations,
)
from nle.data.readers.sarcasm import read_isarcasmeval  # noqa: F401
from nle.data.readers.semeval2010 import SEMEVAL2010_LABELS, read_semeval2010, read_semeval2010_keys  # noqa: F401
from nle.data.readers.squad import read_squad, squad_articles  # noqa: F401
from nle.data.readers.stance import read_semeval2016_stance  # noqa: F401
from nle.data.readers.tacred import TACRED_LABELS, read_tacred  # noqa: F401
from nle.data.readers.tweeteval import read_tweeteval, read_tweeteval_mapping  # noqa: F401
