"""pipekeras.utils.string_hash gives TensorFlow's bins: FarmHash's fingerprint (`to_hash_bucket_fast`) and
SipHash-2-4 (`to_hash_bucket_strong`) over every length branch of the algorithms. The expected numbers are
TensorFlow 2.21's buckets of the same bytes with 2**63 - 1 buckets."""

from pipekeras.utils.string_hash import fingerprint64, siphash64

SAMPLES = [bytes((i * 7 + n) % 256 for i in range(n)) for n in (0, 3, 5, 9, 17, 33, 65, 130, 200)]
BUCKETS = 2**63 - 1
FAST = [1936946117179621456, 4662423180930907492, 354860337138489181, 6666536159313721943, 7736696382783243920,
        3233698670931835598, 444801980686921533, 2375938568549395234, 202520530910294351]
STRONG = [4928313950774450900, 9077298200936707886, 5099412593927193889, 8170324879619552333, 6049833621075315215,
          7218642574679010584, 9154639135964384656, 6934743931515643793, 1283426653235977367]


def test_fingerprint64_matches_tensorflow_for_every_length_branch():
    assert [fingerprint64(s) % BUCKETS for s in SAMPLES] == FAST


def test_siphash64_matches_tensorflow_with_a_key():
    assert [siphash64(s, 133, 137) % BUCKETS for s in SAMPLES] == STRONG
