"""Commitment of reverse-diffusion paths to a mode: known answers, a brute-force reference,
and real exact-score trajectories."""
import math

import pytest
import torch

import diffusion_core as dc
from diffusion_core.commitment import (commitment, commitment_from_resp, final_mode_responsibility,
                                       separation_time)

A, B = [-5.0, 0.0], [5.0, 0.0]
TIMES = torch.tensor([1.0, 0.75, 0.5, 0.25, 0.0], dtype=torch.float64)


@pytest.fixture
def two_modes():
    return dc.GaussianMixture([A, B], 0.01 * torch.eye(2).repeat(2, 1, 1), [1.0, 1.0])


def paths(*rows):
    """(F, N, 2) from per-path lists of F points."""
    return torch.tensor(rows, dtype=torch.float64).transpose(0, 1)


def brute_force(gmm, sde, traj, times, threshold):
    """The definition, one frame at a time with the diffused mixture p_t."""
    labels = gmm.responsibilities(traj[-1]).argmax(1)
    resp = torch.stack([gmm.diffuse(sde, float(t)).responsibilities(traj[j])[torch.arange(traj.shape[1]), labels]
                        for j, t in enumerate(times)])
    out = []
    for i in range(traj.shape[1]):
        r = resp[:, i]
        if r[-1] < threshold:
            out.append(0.0)
            continue
        below = [j for j in range(len(times)) if r[j] < threshold]
        out.append(float(times[below[-1] + 1]) if below else float(times[0]))
    return labels, resp, torch.tensor(out, dtype=torch.float64)


def test_known_answers(two_modes):
    sde = dc.VESDE(10.0)
    traj = paths(
        [A, A, B, B, B],          # switches to B at t = 0.5 and stays
        [B, B, B, B, B],          # at B all along: at t = 1 its log-odds are 100 / (2 * 21.5) > ln 9
        [B, B, B, A, B],          # dips into A at t = 0.25: decided only at the last frame
        [A, B, [0.0, 0.3], [0.0, 0.1], [0.0, 0.0]],   # ends between the modes: never decides
        [B, B, A, A, A],          # ends in A
    )
    c = commitment(two_modes, sde, traj, TIMES, threshold=0.9)
    assert c.labels.tolist()[:3] == [1, 1, 1] and c.labels[4] == 0
    assert c.times.tolist() == pytest.approx([0.5, 1.0, 0.0, 0.0, 0.5])
    assert c.committed.tolist() == [True, True, True, False, True]
    assert c.resp.shape == (5, 5) and c.mean_resp.shape == (5,)
    assert c.frame_times.tolist() == TIMES.tolist()
    # a stricter threshold than the log-odds at t = 1 allow moves the second path's time later
    strict = commitment(two_modes, sde, traj, TIMES, threshold=0.99)
    assert strict.times[1] == pytest.approx(0.75)


def test_matches_brute_force_on_random_paths(two_modes):
    sde = dc.VESDE(25.0)
    g = torch.Generator().manual_seed(0)
    times = torch.linspace(1, 0.001, 30, dtype=torch.float64)
    # random walks that drift to one of the modes, with noise shrinking like sigma_t
    ends = torch.tensor([A, B], dtype=torch.float64)[torch.randint(0, 2, (40,), generator=g)]
    s = sde.sigma(times)[:, None, None]
    traj = ends[None] + s * torch.randn(30, 40, 2, generator=g, dtype=torch.float64)
    for thr in (0.6, 0.9, 0.999):
        labels, resp, expect = brute_force(two_modes, sde, traj, times, thr)
        c = commitment(two_modes, sde, traj, times, threshold=thr)
        assert torch.equal(c.labels, labels)
        assert torch.allclose(c.resp, resp, atol=1e-10)
        assert torch.allclose(c.times, expect)
        # the thresholding step alone, on cached responsibilities
        c2 = commitment_from_resp(c.resp, c.labels, times, thr)
        assert torch.equal(c2.times, c.times) and torch.equal(c2.committed, c.committed)


def test_tutorial_mixture_brute_force():
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(10.0)
    res = dc.sample(dc.exact_score(gmm, sde), sde, 60, 25, generator=torch.Generator().manual_seed(3),
                    trajectory=True)
    labels, resp, expect = brute_force(gmm, sde, res.trajectory.double(), res.times, 0.9)
    c = commitment(gmm, sde, res.trajectory, res.times, 0.9)
    assert torch.equal(c.labels, labels) and torch.allclose(c.times, expect)
    assert torch.allclose(c.resp, resp, atol=1e-6)


@pytest.mark.parametrize("method", ["sde", "ode", "pc", "tutorial"])
def test_real_trajectories(method):
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(10.0)
    n = 300
    res = dc.sample(dc.exact_score(gmm, sde), sde, n, 60, method=method,
                    generator=torch.Generator().manual_seed(0), trajectory=True)
    c = commitment(gmm, sde, res.trajectory, res.times, 0.9)
    # final labels are the modes dc.mode_weights counts
    shares = torch.bincount(c.labels, minlength=gmm.n_components).double() / n
    assert torch.allclose(shares, dc.mode_weights(res.x, gmm))
    # the ring's modes are well separated: (almost) every path commits, at a time in (0, 1]
    assert c.committed.double().mean() > 0.97
    ct = c.times[c.committed]
    assert ((ct > 0) & (ct <= 1)).all()
    assert 0.1 < float(ct.median()) < 0.8
    # no path knows its mode at t = 1 (8 equal modes: responsibility ~ 1/8), all do at the end
    assert float(c.mean_resp[0]) < 0.4
    assert float(c.mean_resp[-1]) > 0.99
    assert torch.isfinite(c.resp).all()


def test_validation(two_modes):
    sde = dc.VESDE(10.0)
    traj = paths([B] * 5)
    for thr in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="threshold"):
            commitment(two_modes, sde, traj, TIMES, thr)
    with pytest.raises(ValueError, match="one entry per frame"):
        commitment(two_modes, sde, traj, TIMES[:4])
    with pytest.raises(ValueError, match="shape"):
        commitment(two_modes, sde, traj[..., :1], TIMES)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        commitment(two_modes, sde, traj, TIMES + 1)
    with pytest.raises(ValueError, match="labels"):
        final_mode_responsibility(two_modes, sde, traj, TIMES, labels=[0, 1])
    with pytest.raises(ValueError, match="resp"):
        commitment_from_resp(torch.ones(4, 1), [0], TIMES)


def test_separation_time():
    ring, sde = dc.PRESETS["ring8"], dc.VESDE(10.0)
    d = 2 * 4.0 * math.sin(math.pi / 8)
    t = separation_time(ring, sde)
    assert 0 < t < 1
    assert float(sde.sigma(torch.tensor(t, dtype=torch.float64))) == pytest.approx(d / 2, rel=1e-6)
    t3 = separation_time(ring, sde, fraction=1 / 3)
    assert t3 < t
    assert separation_time(ring.component(0), sde) is None           # one mode: nothing to choose
    assert separation_time(ring, dc.VESDE(0.5)) is None              # sigma_1 < d / 2: modes never mix
    assert separation_time(dc.PRESETS["cross"], sde) is None          # equal means
    vp = dc.VPSDE()
    tv = separation_time(ring, vp)
    assert float(vp.noise_ratio(torch.tensor(tv, dtype=torch.float64))) == pytest.approx(d / 2, rel=1e-6)


def test_bimodal_time_is_when_p_t_first_dips_between_the_closest_modes():
    """bimodal_time: the last t (from t = 1 down) at which p_t, followed along the line joining the
    two closest modes, dips between them (has_dip): a dip just after it (smaller t), none just before,
    on the tutorial mixture (unequal covariances). Two equal Gaussians of std s at distance d are two
    bumps iff d > 2 sqrt(s^2 + sigma_t^2), to the search's resolution."""
    from diffusion_core.commitment import bimodal_time, has_dip
    sde = dc.VESDE(25.0)
    gmm = dc.PRESETS["tutorial"]
    tb = bimodal_time(gmm, sde)
    assert 0 < tb < 1
    assert has_dip(gmm, sde, 0, 1, [0.97 * tb, 1.03 * tb]).tolist() == [True, False]
    s, d = 0.5, 3.0
    two = dc.GaussianMixture(torch.tensor([[0.0, 0.0], [d, 0.0]]), torch.eye(2).expand(2, 2, 2) * s * s,
                             torch.tensor([0.5, 0.5]))
    t = bimodal_time(two, sde)
    assert float(sde.sigma(torch.tensor(t, dtype=torch.float64))) == pytest.approx(math.sqrt(d * d / 4 - s * s), rel=2e-3)
    wide = dc.GaussianMixture(two.means, torch.eye(2).expand(2, 2, 2) * 4.0, two.weights)
    assert bimodal_time(wide, sde) == 0.0                                  # one bump already at t = 0
    assert bimodal_time(two.component(0), sde) is None


def test_mode_split_times_split_each_mode_from_its_nearest_mode():
    """mode_split_times: mode k's split from its nearest other mode, where p_t first dips between
    them. Three narrow modes, (3, 3), (−3, 0) and (0, −4), weights 0.9 / 0.08 / 0.02: the closest pair
    (modes 2 and 3, 5 apart) splits at bimodal_time, mode 1 from mode 2 (√45 ≈ 6.7 apart) earlier
    (larger t), but later than equal bumps would (σₜ below √(45/4 − s²): the light mode needs a wider
    gap). Two modes (tutorial) and ring8's equal modes: every mode at bimodal_time."""
    from diffusion_core.commitment import bimodal_time, closest_pair, mode_split_times, pair_split_time
    sde = dc.VESDE(25.0)
    s = 0.02
    three = dc.GaussianMixture(torch.tensor([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]]),
                               torch.eye(2).expand(3, 2, 2) * s * s, torch.tensor([0.9, 0.08, 0.02]))
    splits = mode_split_times(three, sde)
    assert closest_pair(three) == (1, 2)
    assert splits[1] == splits[2] == bimodal_time(three, sde) == pair_split_time(three, sde, 1, 2)
    sigma = float(sde.sigma(torch.tensor(splits[0], dtype=torch.float64)))
    assert sigma < math.sqrt(45 / 4 - s * s) and splits[0] > splits[1]
    for name in ("tutorial", "ring8"):
        gmm = dc.PRESETS[name]
        assert mode_split_times(gmm, sde) == pytest.approx([bimodal_time(gmm, sde)] * gmm.n_components)
    assert mode_split_times(three.component(0), sde) == [None] and closest_pair(three.component(0)) is None
