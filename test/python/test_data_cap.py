"""data.cap_per_package: at most the cap of each package, in path order, smaller later files still fit."""
from models.pipeline.data import cap_per_package


def test_each_package_is_capped_in_path_order(tmp_path):
    sizes = {'big/a.js': 600_000, 'big/b.js': 600_000, 'big/c.js': 100_000, 'small/x.py': 50_000}
    for rel, n in sizes.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b'x' * n)
    files = [tmp_path / r for r in reversed(list(sizes))]
    kept = [str(p.relative_to(tmp_path)) for p in cap_per_package(files, tmp_path, 1.0)]
    assert kept == ['big/a.js', 'big/c.js', 'small/x.py']     # b.js would pass 1 MB; c.js still fits
