"""Benchmark declarations: which files make each split, their sha256, the reader, the license, the blind splits.

One :class:`Benchmark` per data set under ``$NLE_DATA_DIR`` (see ``../shared/README.md``); every other lookup
(paths, checksums, loading) is derived from these declarations. Paths are relative to ``$NLE_DATA_DIR``; a
split may need several files (TweetEval: text, labels, mapping), which the reader takes positionally, and
``split_kwargs`` adds keyword arguments per split (Stormfront ``split="train"``). Blind splits (official test
sets kept for the final evaluation) have no files here: pass such a file to the reader by path.

>>> b = get_benchmark("tweeteval_hate")
>>> b.files["train"][0], b.blind_splits
('tweeteval/datasets/hate/train_text.txt', ('test',))
>>> exs = load_split("hateval2019", "dev")  # doctest: +SKIP
>>> len(exs), exs[0].label  # doctest: +SKIP
(1000, '0')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from nle.checksum import sha256_file
from nle.data.errors import DataNotFoundError, data_dir

SplitFiles = str | tuple[str, ...]


@dataclass(frozen=True)
class Benchmark:
    """A data set as declared: split -> file(s) under ``$NLE_DATA_DIR``, checksums, reader, license.

    ``sha256`` covers every split file and may list auxiliary files of the set (lexicons, archives, split
    lists); it is empty only where no copy could be checksummed (TACRED). ``reader`` is a dotted
    ``"package.module:function"`` path, or ``""`` where nle has no reader for the set yet.
    """

    name: str
    files: Mapping[str, SplitFiles]
    sha256: Mapping[str, str]
    reader: str
    license: str
    blind_splits: tuple[str, ...] = ()
    notes: str = ""
    split_kwargs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", MappingProxyType(dict(self.files)))
        object.__setattr__(self, "sha256", MappingProxyType(dict(self.sha256)))
        object.__setattr__(self, "split_kwargs", MappingProxyType({k: MappingProxyType(dict(v))
                                                                    for k, v in self.split_kwargs.items()}))
        if self.reader and (self.reader.count(":") != 1 or not all(self.reader.split(":"))):
            raise ValueError(f"Benchmark {self.name}: reader must be 'package.module:function', got {self.reader!r}")
        unknown = set(self.split_kwargs) - set(self.files)
        if unknown:
            raise ValueError(f"Benchmark {self.name}: split_kwargs for undeclared splits {sorted(unknown)}")
        clash = set(self.blind_splits) & set(self.files)
        if clash:
            raise ValueError(f"Benchmark {self.name}: blind splits {sorted(clash)} must not have files")
        if self.sha256:
            unhashed = [p for s in self.files for p in self.paths(s) if p not in self.sha256]
            if unhashed:
                raise ValueError(f"Benchmark {self.name}: no sha256 for {unhashed}")

    @property
    def splits(self) -> tuple[str, ...]:
        return tuple(self.files)

    def paths(self, split: str) -> tuple[str, ...]:
        """The relative path(s) of one split, in the order the reader takes them."""
        if split not in self.files:
            if split in self.blind_splits:
                raise DataNotFoundError(f"<{self.name}:{split}>", hint=(
                    f"Split {split!r} of {self.name} is blind (kept for the final evaluation): pass its file to "
                    f"the reader {self.reader or '(none)'} by path."))
            raise KeyError(f"benchmark {self.name!r} has no split {split!r}; splits: {list(self.files)}")
        files = self.files[split]
        return (files,) if isinstance(files, str) else tuple(files)

    def all_files(self) -> tuple[str, ...]:
        """Every declared relative path: split files first, then auxiliary files, without repeats."""
        seen = dict.fromkeys(p for s in self.files for p in self.paths(s))
        seen.update(dict.fromkeys(self.sha256))
        return tuple(seen)


def get_benchmark(name: str) -> Benchmark:
    """The declaration named ``name``; ``KeyError`` lists the known names."""
    if name not in BENCHMARKS:
        raise KeyError(f"unknown benchmark {name!r}; known: {sorted(BENCHMARKS)}")
    return BENCHMARKS[name]


def benchmark_paths(name: str, split: str) -> tuple[Path, ...]:
    """Absolute paths of a split's files under ``$NLE_DATA_DIR``; ``DataNotFoundError`` for a missing one."""
    bench = get_benchmark(name)
    rels = bench.paths(split)
    root = data_dir()
    out = []
    for rel in rels:
        path = root / rel
        if not path.is_file():
            raise DataNotFoundError(path, hint=(
                f"Benchmark {name!r} split {split!r} expects {rel!r} under NLE_DATA_DIR={root}."))
        out.append(path)
    return tuple(out)


def benchmark_path(name: str, split: str) -> Path:
    """The one file of a single-file split (``ValueError`` for a split of several files: use ``benchmark_paths``).

    >>> benchmark_path("hateval2019", "train")  # doctest: +SKIP
    PosixPath('/data/hateval2019_en/original_copy/hateval2019_en_train.csv')
    """
    if len(get_benchmark(name).paths(split)) != 1:
        raise ValueError(f"split {split!r} of {name!r} has several files; use benchmark_paths()")
    return benchmark_paths(name, split)[0]


def verify(name: str) -> dict[str, bool]:
    """``{relative path: file exists and its sha256 matches}`` for every checksummed file of a benchmark."""
    root = data_dir()
    out = {}
    for rel, expected in get_benchmark(name).sha256.items():
        path = root / rel
        out[rel] = path.is_file() and sha256_file(path) == expected
    return out


def reader_function(name: str) -> Callable[..., Any]:
    """The reader of a benchmark, imported from its ``"module:function"`` string (no ``eval``)."""
    bench = get_benchmark(name)
    if not bench.reader:
        raise NotImplementedError(f"benchmark {name!r} has no reader in nle yet; its files: {list(bench.all_files())}")
    module, func = bench.reader.split(":")
    return getattr(importlib.import_module(module), func)


def load_split(name: str, split: str, **kwargs: Any) -> Any:
    """Read one split: ``reader(*paths, **split_kwargs, **kwargs)``, e.g. a ``list[Example]``."""
    bench = get_benchmark(name)
    paths = benchmark_paths(name, split)
    return reader_function(name)(*paths, **{**bench.split_kwargs.get(split, {}), **kwargs})


# sha256 of every file under NLE_DATA_DIR that a declaration names (computed from shared/data, 2026-11-23).
_SHA256: Mapping[str, str] = {
    "babble_labble_spouse_explanations/tutorial/data/gradturk_explanations.tsv": "7a7c30e3c92d16d86dee287ea6618a255cdd21bb8c35d7735d073f44e5ec0efc",
    "cos_e/data/v1.0/cose_dev_v1.0.jsonl": "b3377cf9125093c8d6d1cb3296a3ad8174f730a97236f3e177a93fe9e5a3ae37",
    "cos_e/data/v1.0/cose_dev_v1.0_processed.jsonl": "ab7b8ac91bca1a6ba798816af6aca703a739f576c919360ddc376d9d3046be53",
    "cos_e/data/v1.0/cose_train_v1.0.jsonl": "bd4399c3942d786947365a67ca995d00e0b2ac2f226d12bc9342f046e82060e5",
    "cos_e/data/v1.0/cose_train_v1.0_processed.jsonl": "df9f83ac4891f38e0771470858d5f1c4b5bb08fee5c53f38f9df9b3d3675ea74",
    "cos_e/data/v1.0/dev_rand_split.jsonl": "790dd2a8492e7f3b51ded04116de603115b7acaded32ea84f6a7101f9d571ac1",
    "cos_e/data/v1.0/test_rand_split_no_answers.jsonl": "b9c3d1319667ea1569be6f7b3ed0546bd8222d2f3a759f928307343a0282e190",
    "cos_e/data/v1.0/train_rand_split.jsonl": "1989ce97e24d8572113d6a18f44e0f11ee9d206fb9bf9a1133937645583e697e",
    "cos_e/data/v1.11/cose_dev_v1.11.jsonl": "6102766eb61c9f50b36513ca234bf542cf880b170cd84e16374eb22a82f6ba11",
    "cos_e/data/v1.11/cose_dev_v1.11_processed.jsonl": "a8367c94901ba249e48bcec76eaff9e7b91cec0f0e4d94879975d7d1b952bc41",
    "cos_e/data/v1.11/cose_train_v1.11.jsonl": "001661838a3185ee96b94ea012370f1e815a63f346bab3341ad2778f9e30def1",
    "cos_e/data/v1.11/cose_train_v1.11_processed.jsonl": "4c0ccfd34243cf7af62b441643437769663edcb980b991487f766b97a547e9bd",
    "esnli/dataset/eSNLI/labels.dev": "d164d72435c3289fe53cb01e983f7c06e104bf192c0cae9caf2e99bf2e15f974",
    "esnli/dataset/eSNLI/labels.test": "e25c363e5cc70d5494d6e6555d8053eced22dca836e0f03067530eaad3d4f5f5",
    "esnli/dataset/eSNLI/preproc1_expl_1.dev": "55a502fdb187ea76c9e48282116f2d2c4a7bd57750addcdf1a8640cb2a0df28c",
    "esnli/dataset/eSNLI/preproc1_expl_1.test": "44c87e2cb429c3e077c8030e067a9ebb1f7a642b3a0d6fea0996655af431c50b",
    "esnli/dataset/eSNLI/preproc1_expl_2.dev": "44032ffb894e2ed079550d8a33fda89dedabe8dd8e55a2633f6ab2771a86c731",
    "esnli/dataset/eSNLI/preproc1_expl_2.test": "f8245cc0abc39aff7fe5991c8e334c227be78918e9811dc83015dcae5b42c7fc",
    "esnli/dataset/eSNLI/preproc1_expl_3.dev": "18933041c16a55c9594f8b8f2e694a10a1ed114121a8c466b4c65f507d1029ae",
    "esnli/dataset/eSNLI/preproc1_expl_3.test": "6a3b788c3252738d65491a8c3cf4396017db787ce9eee712dd3d3dd53c397e30",
    "esnli/dataset/eSNLI/s1.dev": "28a398b5478b10b4b851d4bb5b2e5767171519add6586015ed50b9436df11d00",
    "esnli/dataset/eSNLI/s1.test": "62cb8107dc3c56a4376e5e521842be24e0d61c92c346b94917da2bbf2a47d8be",
    "esnli/dataset/eSNLI/s2.dev": "a8c59709630b64ba103f7784c0cb7104a6baf23234562487264d9634714f5d2b",
    "esnli/dataset/eSNLI/s2.test": "1174f3ad30a3c30fc0f9eeffc1b3b6a79e0514026c5a658968a8e2a324b311a1",
    "expl_refinement_remote/matcher/annotation/hateval_ghc_annotations": "e5abb56549925357c8d3e0481aade99463ef6eb3127f74352717ee07c568a7ac",
    "expl_refinement_remote/matcher/annotation/sentiment_analysis_explanations": "e40cb65de1ccadc98baf2db147d6582d660da6b14c77ec90830fb93944d981d9",
    "expl_refinement_remote/matcher/annotation/stormfront_ghc_explanations": "3f335db4b1f46e57849608bf20c18a92f7052b490316bffdd55bf39355d9ed3c",
    "expl_refinement_remote/matcher/data/identity.csv": "1e1e961c5c5e67dc40b143c9f6f9ff411fbd77129d77309b3cbf0e8b9a43d900",
    "expl_refinement_remote/matcher/data/negation.txt": "80c824c92bc6011187750699d5f7e574d879f70934a7e58000b4624c9506f52e",
    "expl_refinement_remote/matcher/data/sentiment.csv": "127b300c70d92e0b92ecff604bab7571e05b9a567db19d63452e0a0e75a41077",
    "gab_hate_corpus/kennedy2020_majority_gab_dataset_25k/dev.jsonl": "ea8919017dd1fffc26ed82a5498fd5cc981e749ad752252bf84bace684a940d1",
    "gab_hate_corpus/osf_release_copy/ghc_train.tsv": "c82a27336560d3a6822a4cc3f92856481af5fd63aa2ce8d0ca644d440d351d43",
    "hateval2019_en/original_copy/hateval2019_en_dev.csv": "b45d93b705ac40ea7f14751a10463d2f5903507f3bfdaacc3051c5116e795013",
    "hateval2019_en/original_copy/hateval2019_en_test.csv": "e120fcf8a56f4d67558144ece6d6b68be7752e14de2835eaa263d5f6550df494",
    "hateval2019_en/original_copy/hateval2019_en_train.csv": "2e624ec3027b1fbfb377230c47e0f9e9b260a3e2fa27f68127f04aba4ae36654",
    "hateval2019_en/sentropy_relabeled_labels_only/hateval2019_en_dev.csv": "9a9899a9803d71deff09802a7fff1426fde7fca74f8ad4609a131607529907a0",
    "hateval2019_en/sentropy_relabeled_labels_only/hateval2019_en_test.csv": "811b36b506d55ae8f959d2d467a9242caee1761acb572efefeacceb555dd421c",
    "hateval2019_en/sentropy_relabeled_labels_only/hateval2019_en_train.csv": "5599530ee8a5f66c621d8da06ddbcf1241772b2bf0597e77f48040f90b90d0d8",
    "hatexplain/hf_format/hatexplain_validation.json": "6bb44c417973ffa5bc3e52629ec0abfaa8bd7f52e84cfde21f9963954a23d892",
    "hatexplain/original_repo/post_id_divisions.json": "c2fb0d89862e7897b11ea3e9380753f15a793482b4b70ad0532dfb1212212835",
    "hatexplain/train_labels_text_no_rationales/derived_hatexplain_train_with_ids.jsonl": "f3ac38517defdc268997f06a27e13e003e3f49c4183328aca6ebfaa55bd80afd",
    "hatexplain/train_labels_text_no_rationales/training_data.csv": "6e5abdd439805e871a554f2307a09c6b002f79005d0ae8215c91bfe03bd28cf6",
    "iptts_bias_madlibs_77k/bias_madlibs_77k.csv": "aac542254cf158415ec74623d54fa76176f26a7e7d8ef20788e1748a05ba5b4c",
    "isarcasmeval_semeval2022_task6/train/train.En.csv": "fde737b69caffbcf81ebe79858ad16ac21881573c308343cd5219c4f7a800ae7",
    "kennedy2020_contextualizing_hate_speech/data/identity.csv": "e7203cb9b9c8cd44ec6d66bc73e8fede6c157b84081d4e41a5d7aeb318767192",
    "kennedy2020_contextualizing_hate_speech/data/identity_ws_new.csv": "e177298a73a7d9c9f24b420d4cb0f976df75053d548341b29ba007691918a7c4",
    "movie_rationales_zaidan2007/derived_movie_rationales.jsonl": "d43c394103aef70ae8d57e0a1678709ffe847dbac6f4112e19250d58dce4c4d1",
    "movie_rationales_zaidan2007/withRats_original_files.tar.gz": "80ad84997642a9c1fe166de0dd0fac5365592c1b347b5a4d31c81be4f16ed301",
    "mrc_explanation_squad/explanations/squad.csv": "7c0e1199e65f1894b4390365c3375d83c81a14fec12183d3efd44594470b1cb5",
    "next_explanations/OtherExplanations/laptop.json": "5396f4a930e7c65e3b46119988388d1eb8b86cbf06005161fd4bf1cc898e22fb",
    "next_explanations/OtherExplanations/restaurant.json": "276467e371c4fb44bf72a48aad559d53ce66498df669552f7b72759c0d83acca",
    "next_explanations/OtherExplanations/semeval.json": "4d813adaa1e689ea888f44eb74d5ffc833ef9fc65f896dcf2b0daff39baad0ce",
    "next_explanations/tacred/BL.json": "555adff5482fa35ce2ae479bea0dd397b7907f47094883c4fe06e9ab04a455b4",
    "next_explanations/tacred/all_exp_add.json": "91e0ddd4b49bb30f5dbe7d4254318d23d98dc6cba903e51fad2742212cac37ef",
    "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_DISTRIB.TXT": "0204ab0adb9fd6e360f3c2d8765e9d26259a1a4253282f77caad9867d1cbbe01",
    "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_FILE.TXT": "73cd76bf45c17257d9dba882655917109a863ccd42ad69ee6a34083a61202b51",
    "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_TEST_DISTRIB.TXT": "cb2c1696c00d25df24be564f0b98de981516bd0c1c150351ca7a6cb857e21310",
    "semeval2016_task6_stance/data/semeval2016-task6-trainingdata.txt": "882660f548ca54874a59fa633065535f9a0f6ae2a00fb767bf2d9e2b0c2e617f",
    "semeval2018_task3_irony/datasets/train/SemEval2018-T3-train-taskA.txt": "04a3e8a3b71991905836794e889c24d54190f147f414210e86a7de4a16c6ca7c",
    "semeval2018_task3_irony/datasets/train/SemEval2018-T3-train-taskA_emoji.txt": "aa2b955b4e80f96e98b0bc9a1db70ccfcdf13221570c04329f8e499e230ea923",
    "semeval2018_task3_irony/datasets/train/SemEval2018-T3-train-taskA_emoji_ironyHashtags.txt": "acf092cc5c2f44d772a7da977032f19073e755e89dafb1b295d37706b2a1b361",
    "semeval2018_task3_irony/datasets/train/SemEval2018-T3-train-taskB.txt": "0e8b46176e3df488b1a91534cbcd74dbec570c2f47f2eae0538b63f0322a4a8f",
    "semeval2018_task3_irony/datasets/train/SemEval2018-T3-train-taskB_emoji.txt": "1bf861ee4dd3e3fa5441451ac84b091b226ce2e87f6a2998987d8219c88d0529",
    "semeval2018_task3_irony/datasets/train/SemEval2018-T3-train-taskB_emoji_ironyHashtags.txt": "4c7785cd758f0112608b30ac7b246ac4705dcd72d102dc539c5afb72969d2b43",
    "squad_v1.1/dev-v1.1.articles-00-31.json": "1dc3d05dd798ee77c33b2b26bba9e8b6ed3df1d96ef91c649d1cb2f8fc4d574d",
    "stormfront_hate_speech/all_files_original.tar.gz": "b7608ddff14b16071fd6e561305254443854d890c013970e42da96e413acd6d2",
    "stormfront_hate_speech/annotations_metadata.csv": "306bfaab400e1542529d1791b9ec68d70bed579c52fc7e255b0626ab7bc5c7c9",
    "stormfront_hate_speech/derived_stormfront_all.tsv": "575924627b6d1529d9460785431024725c515a5eca9bc2c41683b67dce962ebb",
    "stormfront_hate_speech/sampled_test_file_list.txt": "94e21074e36628de188d9fd3228301c8b7b1afab7ef340e6ee2a91875542a067",
    "stormfront_hate_speech/sampled_train_file_list.txt": "688adcf1543162b8a16808f58ceeffea28332fb934b3c67cce70726b02c6b5c7",
    "tweeteval/datasets/hate/mapping.txt": "3fc75504ffae64ddc82e13afb5790af7798cd3167d7d35790abe78b39b991896",
    "tweeteval/datasets/hate/train_labels.txt": "4e8fde025a453a25c94632794254131dedeac4e57228ad64157c41571cc88f71",
    "tweeteval/datasets/hate/train_text.txt": "6572bb3a42143128a5dfa99af8debeb0668e637c34b2d1e3140dac47316fe2c2",
    "tweeteval/datasets/hate/val_labels.txt": "5092badf1a0e70036ea6264bcd0b78afc07d0f4a512fa6af34c2c4973600656b",
    "tweeteval/datasets/hate/val_text.txt": "1ff78b1ed4c5ce43284b9eba32eb7d60c6d45d0d1b3b4d6df456ae01640764f1",
    "tweeteval/datasets/irony/mapping.txt": "70e09046e181179b9870a2f59a3263bbb28c787831779e4ce4a18373d054296b",
    "tweeteval/datasets/irony/train_labels.txt": "fc69e6106c0f1f433a91536e08f83c71a391d7b219f7684d42f243a8089af77d",
    "tweeteval/datasets/irony/train_text.txt": "a888125a44f7dfaa25b026318748d0e62cc9a300d20f66eafd62011a19eaea23",
    "tweeteval/datasets/irony/val_labels.txt": "ccf429f63b4e8d0e7f425ca09445f7c31f7cea8a1b7c283b015b117c4002fd07",
    "tweeteval/datasets/irony/val_text.txt": "8806cf3793e300a485cfae34892fc3a0a2f9a183deb06c750c6531515c83051e",
    "tweeteval/datasets/stance/mapping.txt": "0f8a803dc1773c84279506f25d54b5a9eec7edfc277b41eb75076744dc89b26f",
    "tweeteval/datasets/stance/abortion/train_labels.txt": "e6786a594bd9a083c524a0f420c690351140b52af288f487cb4772d29675b014",
    "tweeteval/datasets/stance/abortion/train_text.txt": "a421d5b8fd9f972970b9275b83f65745bf81986d2a412b4caa2ba071f3efa916",
    "tweeteval/datasets/stance/abortion/val_labels.txt": "8df57a50823d5f3683ecf75d824a42e3b08eb52e25e3e2d6928f523097a0c050",
    "tweeteval/datasets/stance/abortion/val_text.txt": "0428ab3f2894936f2445a9020763c2bd19ed42986872168bb65886dede5843fd",
    "tweeteval/datasets/stance/atheism/train_labels.txt": "a764aac1a75ccb32c4ffc4c03c66dc365cb50f013d3e94549bf775636cbc8373",
    "tweeteval/datasets/stance/atheism/train_text.txt": "0e82f1d4a16d79a38a68aee761762cf8a846bc8f7f9395670ca44e2ecf2f58f7",
    "tweeteval/datasets/stance/atheism/val_labels.txt": "638095b3582f927fd1481cdb8d1f9f670f8d27880baf32c0b26c5946fd8f8292",
    "tweeteval/datasets/stance/atheism/val_text.txt": "5fe14c4c01f87a45dba640dddbb1d1909a893f9565f159c48fa1ba35bb46c209",
    "tweeteval/datasets/stance/climate/train_labels.txt": "d6274f55bc95f5a7f2ae591b886c1414a7664aaf4e0c609f4ba6cf377929af18",
    "tweeteval/datasets/stance/climate/train_text.txt": "4803211832d318026323a8e5014cff1b95e1c8c3854378101e5d1a8c82582eb7",
    "tweeteval/datasets/stance/climate/val_labels.txt": "0cb133ab9b137292f075210db45f7e293dc52798a4e21e59037bfcfe66c97aa6",
    "tweeteval/datasets/stance/climate/val_text.txt": "fc5714703add266801ee2fd98296ea20ec0879e89cdb9f906d9812d9f640f2ba",
    "tweeteval/datasets/stance/feminist/train_labels.txt": "abd4f196d801423bb0daba8c0ecf5b3efba1f10e8f410c3dfa360b50c8b9c685",
    "tweeteval/datasets/stance/feminist/train_text.txt": "c176e6663973c8e78bfa92ba1e8874a70cc5358567d71584a90943bc6525eaab",
    "tweeteval/datasets/stance/feminist/val_labels.txt": "399e0d468d0e4ead7a445f69efdf35876c835acf4cefc00a16f451a5d42e5c13",
    "tweeteval/datasets/stance/feminist/val_text.txt": "3518b2ddcf696626a7243d7cea720a975718c7a52a5a086931be87897c1de58b",
    "tweeteval/datasets/stance/hillary/train_labels.txt": "0ea5753d13a717a9e91581d1d89c0b5206c8f905f0a717b2b27d02dbf419250d",
    "tweeteval/datasets/stance/hillary/train_text.txt": "0bd735de895cb74d63c224e64e3d955cac99be97aa225f803fe4d2f5978a2c99",
    "tweeteval/datasets/stance/hillary/val_labels.txt": "e5d44c771b7349a4a74309f56ca072fdf8f1c015068d519ca2ed3a931c833606",
    "tweeteval/datasets/stance/hillary/val_text.txt": "9714b7dcc8617e095433d7b63df8aa155eb84216b9ac9195105ab83d85cd248d",
}


def _bench(name: str, files: Mapping[str, SplitFiles], reader: str, license: str, *, aux: tuple[str, ...] = (),
           blind: tuple[str, ...] = (), notes: str = "", split_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
           checksummed: bool = True) -> Benchmark:
    """A declaration whose sha256 map is read off :data:`_SHA256` for its split and auxiliary files."""
    rels = [f for v in files.values() for f in ((v,) if isinstance(v, str) else v)] + list(aux)
    sha = {rel: _SHA256[rel] for rel in dict.fromkeys(rels)} if checksummed else {}
    return Benchmark(name, files, sha, reader, license, blind, notes, split_kwargs or {})


def _tweeteval(task: str, folder: str, mapping: str) -> Benchmark:
    d = f"tweeteval/datasets/{folder}"
    return _bench(
        f"tweeteval_{task}",
        {s: (f"{d}/{s}_text.txt", f"{d}/{s}_labels.txt", mapping) for s in ("train", "val")},
        "nle.data.readers.tweeteval:read_tweeteval",
        "TweetEval: no restrictions beyond the source task's license and the Twitter ToS",
        blind=("test",),
        notes=f"TweetEval {task}; labels named by {mapping}.",
    )


_R = "nle.data.readers."
_IRONY = "semeval2018_task3_irony/datasets/train/SemEval2018-T3-train-task"
_STORMFRONT = "stormfront_hate_speech/derived_stormfront_all.tsv"
_MOVIES = "movie_rationales_zaidan2007/derived_movie_rationales.jsonl"
_REMOTE = "expl_refinement_remote/matcher/"
_ESNLI = "esnli/dataset/eSNLI/"
_COSE = "cos_e/data/"

_DECLARATIONS: tuple[Benchmark, ...] = (
    _bench("semeval2010_task8",
           {"train": "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_FILE.TXT"},
           _R + "semeval2010:read_semeval2010", "CC BY 3.0 (official README)",
           aux=("semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_DISTRIB.TXT",
                "semeval2010_task8/SemEval2010_task8_all_data/SemEval2010_task8_training/TRAIN_TEST_DISTRIB.TXT"),
           blind=("test",), notes="8,000 train sentences, 19 directed labels; carve a seeded dev split from train."),
    _bench("tacred", {s: f"tacred/{s}.json" for s in ("train", "dev", "test")}, _R + "tacred:read_tacred",
           "LDC2018T24 (licensed; not redistributable)", checksummed=False,
           notes="Not in shared/data: users with an LDC license put the official JSON files under NLE_DATA_DIR/tacred/."),
    _bench("squad_v1_1", {"dev": "squad_v1.1/dev-v1.1.articles-00-31.json"}, _R + "squad:read_squad", "CC BY-SA 4.0",
           blind=("test",),
           notes="First 32 articles of the SQuAD v1.1 dev set (7,235 questions): matching pool and dev (split by "
                 "article). The last 16 dev articles are the blind test. SQuAD train is not here; pass it by path."),
    _bench("next_explanations_semeval", {"all": "next_explanations/OtherExplanations/semeval.json"},
           _R + "next_explanations:read_next_explanations", "none stated (research use; cite Wang et al. ICLR 2020)",
           split_kwargs={"all": {"task": "semeval"}}, notes="203 NExT explanations over SemEval-2010 Task 8 labels."),
    _bench("next_explanations_tacred", {"all": "next_explanations/tacred/all_exp_add.json"},
           _R + "next_explanations:read_next_explanations",
           "none stated (research use); sentences derive from TACRED (LDC2018T24)",
           aux=("next_explanations/tacred/BL.json",), split_kwargs={"all": {"task": "tacred"}},
           notes="170 NExT explanations over 29 TACRED relations; BL.json is the CCG predicate lexicon."),
    _bench("next_explanations_restaurant", {"all": "next_explanations/OtherExplanations/restaurant.json"},
           _R + "next_explanations:read_next_explanations", "none stated (research use)",
           split_kwargs={"all": {"task": "restaurant"}}, notes="75 aspect-sentiment explanations (label 1 / -1)."),
    _bench("next_explanations_laptop", {"all": "next_explanations/OtherExplanations/laptop.json"},
           _R + "next_explanations:read_next_explanations", "none stated (research use)",
           split_kwargs={"all": {"task": "laptop"}}, notes="70 aspect-sentiment explanations (label 1 / -1)."),
    _bench("mrc_explanations", {"all": "mrc_explanation_squad/explanations/squad.csv"},
           _R + "mrc_explanations:read_mrc_explanations", "none stated; SQuAD text CC BY-SA 4.0",
           notes="164 compositional explanations of SQuAD v1.1 train questions (context embedded)."),
    _bench("remote_explanations",
           {"hateval_ghc": _REMOTE + "annotation/hateval_ghc_annotations",
            "stormfront_ghc": _REMOTE + "annotation/stormfront_ghc_explanations",
            "sentiment": _REMOTE + "annotation/sentiment_analysis_explanations"},
           _R + "remote:read_remote_explanations",
           "MIT (INK Lab); sentiment.csv is the MPQA lexicon (GNU GPL upstream)",
           aux=(_REMOTE + "data/identity.csv", _REMOTE + "data/negation.txt", _REMOTE + "data/sentiment.csv"),
           notes="REMOTE explanations: HatEval->GHC 34, Stormfront->GHC 40, sentiment 29; lexicons as auxiliary files."),
    _bench("remote_identity_terms", {"all": _REMOTE + "data/identity.csv"}, _R + "hate:read_identity_terms",
           "MIT (INK Lab)", notes="34 group identifiers with weights used by the REMOTE matcher."),
    _bench("kennedy2020_identity_terms",
           {"gab": "kennedy2020_contextualizing_hate_speech/data/identity.csv",
            "stormfront": "kennedy2020_contextualizing_hate_speech/data/identity_ws_new.csv"},
           _R + "hate:read_identity_terms", "MIT (Kennedy et al. repository)",
           notes="25 Gab/GHC and 10 Stormfront group identifiers with weights (Kennedy*, Jin* et al. ACL 2020)."),
    _bench("hateval2019",
           {"train": "hateval2019_en/original_copy/hateval2019_en_train.csv",
            "dev": "hateval2019_en/original_copy/hateval2019_en_dev.csv",
            "test": "hateval2019_en/original_copy/hateval2019_en_test.csv",
            **{f"{s}_relabeled": (f"hateval2019_en/original_copy/hateval2019_en_{s}.csv",
                                  f"hateval2019_en/sentropy_relabeled_labels_only/hateval2019_en_{s}.csv")
               for s in ("train", "dev", "test")}},
           _R + "hate:read_hateval2019", "HatEval terms (research use, Twitter ToS); Sentropy relabeling MIT",
           notes="SemEval-2019 Task 5 English, label HS; *_relabeled take labels from Wang & Banko (2021)."),
    _bench("ghc",
           {"train": "gab_hate_corpus/osf_release_copy/ghc_train.tsv",
            "dev": "gab_hate_corpus/kennedy2020_majority_gab_dataset_25k/dev.jsonl"},
           _R + "hate:read_ghc", "not stated in the hosting repositories (OSF release; cite Kennedy et al. 2022)",
           blind=("test",),
           notes="Label = hd or cv. train is the OSF release, dev is Kennedy et al.'s 25k majority split: 1,704 of "
                 "the 2,581 dev posts also occur verbatim in OSF train, so carve model-selection data from train."),
    _bench("stormfront", {"all": _STORMFRONT, "train": _STORMFRONT, "test": _STORMFRONT},
           _R + "hate:read_stormfront", "CC BY-SA 3.0 ES",
           aux=("stormfront_hate_speech/annotations_metadata.csv", "stormfront_hate_speech/all_files_original.tar.gz",
                "stormfront_hate_speech/sampled_train_file_list.txt",
                "stormfront_hate_speech/sampled_test_file_list.txt"),
           split_kwargs={"train": {"split": "train"}, "test": {"split": "test"}},
           notes="10,944 sentences; train/test are the balanced sampled_train (1,914) / sampled_test (478) sets."),
    _bench("iptts", {"test": "iptts_bias_madlibs_77k/bias_madlibs_77k.csv"}, _R + "hate:read_iptts_madlibs",
           "Apache-2.0", notes="76,564 identity-phrase template sentences (BAD / NOT_BAD) for FPRD/FNRD."),
    _bench("hatexplain",
           {"train": "hatexplain/train_labels_text_no_rationales/derived_hatexplain_train_with_ids.jsonl",
            "val": "hatexplain/hf_format/hatexplain_validation.json"},
           _R + "hatexplain:read_hatexplain", "MIT (repository); CC BY 4.0 (HF dataset card)",
           aux=("hatexplain/original_repo/post_id_divisions.json",
                "hatexplain/train_labels_text_no_rationales/training_data.csv"),
           blind=("test",), notes="train 15,383 (labels only, no rationales), val 1,922 with token rationales."),
    _bench("movie_rationales", {"all": _MOVIES, "train": _MOVIES, "val": _MOVIES, "test": _MOVIES},
           _R + "movies:read_movie_rationales", "research use (Zaidan et al. 2007; Pang & Lee 2004)",
           aux=("movie_rationales_zaidan2007/withRats_original_files.tar.gz",),
           split_kwargs={"train": {"folds": tuple(range(8))}, "val": {"folds": (8,)}, "test": {"folds": (9,)}},
           notes="ERASER Movies folds: train 0-7, val 8, test 9; fold 9 has no rationales here (ERASER's new test "
                 "rationales are missing)."),
    _tweeteval("hate", "hate", "tweeteval/datasets/hate/mapping.txt"),
    _tweeteval("irony", "irony", "tweeteval/datasets/irony/mapping.txt"),
    *(_tweeteval(f"stance_{t}", f"stance/{t}", "tweeteval/datasets/stance/mapping.txt")
      for t in ("abortion", "atheism", "climate", "feminist", "hillary")),
    _bench("semeval2016_task6_stance", {"train": "semeval2016_task6_stance/data/semeval2016-task6-trainingdata.txt"},
           _R + "stance:read_semeval2016_stance", "research use (official task data); Twitter ToS",
           blind=("test",), notes="Subtask A train, 2,814 tweets over 5 targets (Windows-1252)."),
    _bench("semeval2018_task3_irony",
           {f"train_task{t}{v}": f"{_IRONY}{t}{v}.txt" for t in "AB" for v in ("", "_emoji", "_emoji_ironyHashtags")},
           _R + "irony:read_semeval2018_irony", "CC BY-NC-SA 4.0 (keep internal; do not redistribute)",
           blind=("test_taskA", "test_taskB"),
           notes="3,834 train tweets; '' = emoji as descriptions and irony hashtags removed, _emoji = original emoji, "
                 "_emoji_ironyHashtags = fully original."),
    _bench("isarcasmeval", {"train": "isarcasmeval_semeval2022_task6/train/train.En.csv"},
           _R + "sarcasm:read_isarcasmeval", "MIT", blind=("test_taskA",),
           notes="3,468 English tweets, author labels and non-sarcastic rephrases (meta['rephrase'])."),
    _bench("esnli",
           {s: tuple(f"{_ESNLI}{f}.{s}" for f in ("s1", "s2", "labels", "preproc1_expl_1", "preproc1_expl_2",
                                                  "preproc1_expl_3")) for s in ("dev", "test")},
           "", "MIT (e-SNLI); SNLI CC BY-SA 4.0", notes="No nle reader yet. dev 9,842 / test 9,824 pairs; train absent."),
    _bench("cos_e",
           {"train": _COSE + "v1.0/cose_train_v1.0.jsonl", "dev": _COSE + "v1.0/cose_dev_v1.0.jsonl",
            "train_v1.11": _COSE + "v1.11/cose_train_v1.11.jsonl", "dev_v1.11": _COSE + "v1.11/cose_dev_v1.11.jsonl",
            "cqa_train": _COSE + "v1.0/train_rand_split.jsonl", "cqa_dev": _COSE + "v1.0/dev_rand_split.jsonl",
            "cqa_test_no_answers": _COSE + "v1.0/test_rand_split_no_answers.jsonl"},
           "", "BSD-3-Clause",
           aux=tuple(f"{_COSE}{v}/cose_{s}_{v}_processed.jsonl" for v in ("v1.0", "v1.11") for s in ("train", "dev")),
           notes="No nle reader yet. CoS-E explanations for CommonsenseQA v1.0 (7,610 / 950) and v1.11."),
    _bench("babble_labble_spouse",
           {"all": "babble_labble_spouse_explanations/tutorial/data/gradturk_explanations.tsv"},
           "", "Apache-2.0", notes="No nle reader yet. 200 spouse explanations without their sentences."),
)

BENCHMARKS: Mapping[str, Benchmark] = MappingProxyType({b.name: b for b in _DECLARATIONS})
"""Every declared benchmark by name."""
