"""voc.workers: young collections wait for YOUNG_GC allocations while a run tags (worker
processes keep it; the caller's process gets its own threshold back)."""
import gc

from voc import workers


class Thresholds:
    """A target that answers each chunk with the collector's threshold where it was tagged."""

    def tag_items(self, chunk):
        return [gc.get_threshold()[0] for _ in chunk]

    def warm(self):
        return self

    def factory(self):
        return Given(self)


class Given:
    def __init__(self, target):
        self.target = target

    def __call__(self):
        return self.target


def test_threshold_while_tagging_and_restored_after():
    before = gc.get_threshold()
    for n in (1, 2):
        got = [x for chunk in workers.map_chunks(Thresholds(), [[1, 2], [3]], workers=n) for x in chunk]
        assert got == [workers.YOUNG_GC] * 3
        assert gc.get_threshold() == before
    it = workers.map_chunks(Thresholds(), [[1], [2]], workers=1)
    next(it)
    assert gc.get_threshold()[0] == workers.YOUNG_GC
    it.close()  # a run stopped early restores it too
    assert gc.get_threshold() == before
