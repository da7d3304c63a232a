"""The sampler lab's computations: the race of samplers over NFE budgets (one call, cached run by
run), with the exact or the learned score, the noise level of the quality measures, and what
limits the curves in words."""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

import diffusion_core as dc
from diffusion_core import sweep
from dashboard import models, reversal, state, vocabulary
from dashboard.models import value_text


@state.cache_data(max_entries=256)
def run_one(gmm, lam: float, method: str, budget: int, n: int, seed: int, grid: str, t_eps: float,
            metrics: tuple, learned=None, device: str = "cpu") -> pd.DataFrame:
    """One sampler at one NFE budget (cached run by run, so changing one setting only computes
    what is new). grid "recommended": the sampler's measured settings for this budget
    (dc.recommended). learned: (cfg, lam) of a model of the Train page (models.learned_model),
    whose score replaces the exact one (and whose lam is used)."""
    if learned is None:
        sde = dc.VESDE(lam)
        score = dc.exact_score(gmm, sde)
    else:
        sde = dc.VESDE(learned[1])
        score = models.trained_model(learned[0], gmm, learned[1], device).score
    return sweep.nfe_sweep(score, sde, gmm, methods=(method,), nfe_targets=(budget,),
                           n=n, seed=seed, metrics=metrics, grid=grid, t_eps=t_eps, floor=False)


def race(gmm, lam: float, methods, budgets, n: int, seed: int, grid: str, t_eps: float,
         learned=None, device: str = "cpu", progress=None):
    """Every sampler of `methods` (registry order) at every budget of `budgets` (ascending), from the
    same starting noise, scored by every measure of sweep.METRICS (so switching the measure
    computes nothing): returns (runs, exact), runs one row per (method, steps) actually taken
    (two budgets that give the same steps are one run), exact the exact score's runs at the
    largest budget when the score is learned (else None). progress(i, total, method, budget) is
    called before each run; each run is cached on its own (run_one)."""
    plan = [(m, b) for m in dc.METHODS if m in methods for b in sorted(budgets)]
    frames = []
    for i, (m, b) in enumerate(plan):
        if progress is not None:
            progress(i, len(plan), m, b)
        frames.append(run_one(gmm, lam, m, int(b), n, seed, grid, t_eps, sweep.METRICS, learned, device))
    runs = pd.concat(frames, ignore_index=True).drop_duplicates(["method", "steps"])
    exact = None
    if learned is not None:
        top = max(b for _, b in plan)
        exact = pd.concat([run_one(gmm, lam, m, top, n, seed, grid, t_eps, sweep.METRICS)
                           for m in dict.fromkeys(m for m, _ in plan)], ignore_index=True)
    return runs, exact


@state.cache_data
def floor(gmm, n: int, seed: int, metrics: tuple = sweep.METRICS) -> dict:
    return sweep.metric_noise(gmm, n, seed, metrics)


def warm_defaults(before_each=None) -> None:
    """The lab's default view with the exact score on the default and the lesson's mixture, as
    the page computes it (the server's warm-up: the first visit then only reads the cache)."""
    schema, lists = state.sio.SCHEMA, state.sio.LISTS
    for name in (models.DEFAULT_MIXTURE, models.LESSON_MIXTURE):
        if models.queue_stopped():
            return
        if before_each is not None:
            before_each()
        gmm, n, seed = dc.PRESETS[name], int(schema["w_samplers_n"].default), state.DEFAULT_SEED
        race(gmm, float(schema["w_samplers_lam"].default), lists["w_samplers_methods"].default,
             list(lists["w_samplers_nfe"].default), n, seed, schema["w_samplers_grid"].default,
             float(schema["w_samplers_t_eps"].default))
        floor(gmm, n, seed)


def budget_table(df: pd.DataFrame, metric: str, label, order) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The page's results table from the runs df (columns method, budget, nfe, metric): one row per
    budget (column "NFE"), one column per sampler (label(method), in the order of `order`) holding
    its value of the measure; and beside it the same table of the exact evaluation counts (the x
    at which the chart draws each value), which differ from the budget for samplers whose steps
    cost more than one evaluation."""
    runs = df.assign(sampler=df["method"].map(label))
    names = [label(m) for m in order if label(m) in set(runs["sampler"])]
    tables = []
    for column in (metric, "nfe"):
        t = runs.pivot_table(index="budget", columns="sampler", values=column, aggfunc="first")
        tables.append(t[[n for n in names if n in t]].reset_index().rename(columns={"budget": "NFE"}))
    return tables[0], tables[1]


def off_budget(table: pd.DataFrame, counts: pd.DataFrame) -> list[tuple[int, str, int]]:
    """The cells of budget_table's table whose run took a count other than its row's budget:
    (row, sampler, count)."""
    cells = []
    for i, budget in enumerate(counts["NFE"]):
        for name in counts.columns[1:]:
            c = counts.at[i, name]
            if pd.notna(c) and pd.notna(table.at[i, name]) and int(c) != int(budget):
                cells.append((i, name, int(c)))
    return cells


def shared_runs(table: pd.DataFrame, counts: pd.DataFrame) -> list[tuple[int, str, int, int]]:
    """The empty cells of budget_table's table in a sampler's column: a budget that gives the sampler
    the same steps as an earlier budget of the table, whose run (one run for both) sits in that
    earlier row: (row, sampler, earlier budget, its count)."""
    cells = []
    for name in table.columns[1:]:
        for i in range(1, len(table)):
            earlier = [j for j in range(i) if pd.notna(table.at[j, name])]
            if pd.isna(table.at[i, name]) and earlier:
                j = earlier[-1]
                cells.append((i, name, int(table.at[j, "NFE"]), int(counts.at[j, name])))
    return cells


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """budget_table's table as the page shows it: a column with a cell without a run holds its values
    as text (exact, read back by float), that cell an empty text (a cell holding nothing would read
    "None", and a column mixing numbers and text does not serialize)."""
    gaps = [n for n in table.columns[1:] if table[n].isna().any()]
    return table.assign(**{n: [repr(float(v)) if pd.notna(v) else "" for v in table[n]] for n in gaps})


def shown_cell(v) -> str:
    """A cell of shown_table as printed: value_text, or empty where it holds no run."""
    return "" if v == "" else value_text(float(v))


def count_cell(value: float, count: int) -> str:
    """A results-table cell whose run took `count` evaluations, not its row's budget (the value as
    value_text prints it, as every cell: 24,725, not 24725.463, which the column cut)."""
    return f"{value_text(value)} ({count} NFE)"


def counts_text(table: pd.DataFrame, counts: pd.DataFrame) -> str:
    """Under the results table: what its rows are and, from budget_table's counts, which samplers
    took other counts than the budget (and so sit at those counts on the chart's x axis)."""
    cells = off_budget(table, counts)
    head = "Rows: the NFE budget each sampler was given. "
    shared = "".join(f" {name} has no run of its own at budget {int(table.at[i, 'NFE'])}, so its cell is empty: that "
                     f"budget gives it the same steps as budget {b} ({c} evaluations), and its one run for both is "
                     f"shown at {b}." for i, name, b, c in shared_runs(table, counts))
    if not cells:
        return (head + "Every run here took exactly its budget of score evaluations, the x at which the chart draws it."
                + shared)
    by: dict[str, list] = {}
    for i, name, c in cells:
        by.setdefault(name, []).append(f"{c} at budget {int(counts.at[i, 'NFE'])}")
    said = "; ".join(f"{name} took {_and(v)}" for name, v in by.items())
    return (head + "A run whose steps do not cost one evaluation each can take another number of score "
            "evaluations than its budget: its cell shows that exact count after its value, in brackets, "
            f"and the chart draws it at that count. Here {said}." + shared)


def variant_notes(lam: float, grid: str, budgets, label) -> dict:
    """Why two samplers' runs can be the same, {(label(variant), label(base)): words}: UniPC,
    shifted D is UniPC, noisy start with its denoiser evaluated at fitted times for the step
    counts of sampling.SHIFTS under the process they were fitted for (sampling.SHIFTS_SDE), and,
    on the "recommended" grid, with its own measured settings at the budgets where those differ
    from UniPC's (dc.recommended); anywhere else the two take the same steps."""
    from diffusion_core import sampling
    variant, base = label("unipc_shift"), label("unipc")
    fits = sorted(sampling.SHIFTS)
    if dc.VESDE(lam) == sampling.SHIFTS_SDE:
        parts = [f"fitted evaluation times, which it has for {_and(fits)} steps "
                 f"({_and([dc.nfe('unipc_shift', k) for k in fits])} evaluations with its last step)"]
    else:
        parts = [f"fitted evaluation times, which it has only at λ = {sampling.SHIFTS_SDE.lam:g}, not at λ = {lam:g}"]
    own = [int(b) for b in budgets
           if grid == "recommended" and dc.recommended("unipc_shift", int(b)) != dc.recommended("unipc", int(b))]
    if own:
        parts.append(f"its own measured settings at {_and(own)} evaluations")
    return {(variant, base): f"{variant} differs from {base} only by {', and by '.join(parts)}: elsewhere the two "
                             "take the same steps"}


def same_runs_text(table: pd.DataFrame, counts: pd.DataFrame, why: dict | None = None) -> str:
    """Under the results table (budget_table's two tables): the pairs of samplers whose runs gave
    the same value at the same evaluation count at some budgets, whose lines on the chart lie on
    each other there, each with its reason where `why` (variant_notes) has one for the pair (a
    variant that falls back to its base where it has no fit); "" where there are none."""
    why = why or {}
    names = list(table.columns[1:])
    said = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            va, vb = table[a].to_numpy(dtype=float), table[b].to_numpy(dtype=float)
            same = np.isfinite(va) & np.isfinite(vb) & (va == vb) & (counts[a].to_numpy() == counts[b].to_numpy())
            if not same.any():
                continue
            rows = np.flatnonzero(same)
            budgets = [int(v) for v in table["NFE"].to_numpy()[rows]]
            where = (f"every budget from {budgets[0]} to {budgets[-1]}"
                     if len(rows) > 2 and rows[-1] - rows[0] == len(rows) - 1
                     else f"budget{'s' if len(rows) > 1 else ''} {_and(budgets)}")
            reason = why.get((b, a)) or why.get((a, b))
            said.append(f"{b} and {a} gave the same value at {where}" + (f" ({reason})" if reason else ""))
    if not said:
        return ""
    text = "; ".join(said)
    return " " + text[0].upper() + text[1:] + ": on the chart one line hides the other there."


def _distance(v, metric: str, band: tuple) -> float:
    """How far a metric's value is from a perfect sampler's: for the signed log-likelihood gap
    |v − band[0]|, its distance to the truth's own level (the noise band's centre, band: mean, low,
    high: true sets scored against the same reference, the dashed line the chart draws); the
    distances as they are."""
    return abs(float(v) - float(band[0])) if metric == "loglik_gap" else float(v)


def printed_distance(v, metric: str, band: tuple) -> float:
    """_distance of a value as the table prints it (value_text), so that two runs the table shows
    alike are as far from a perfect sampler as each other."""
    return _distance(printed_value(v), metric, band)


def printed_best(runs: pd.DataFrame, metric: str, band: tuple) -> pd.DataFrame:
    """The runs (rows with method and metric) tied at the best value as printed (printed_distance):
    one row, or every run the table shows at that same value."""
    d = pd.Series([printed_distance(v, metric, band) for v in runs[metric]], index=runs.index)
    return runs[d == d.min()]


def told_apart(v, u, metric: str, band: tuple) -> bool:
    """Whether two runs' values v and u lie farther apart than the noise band's width (band: mean,
    low, high), by their distances to a perfect sampler as printed (printed_distance): one shared draw
    of the starting noise moves a value by as much as true sets spread, so runs closer than that are
    not told apart at this sample count (runs printed alike never are)."""
    gap = abs(printed_distance(v, metric, band) - printed_distance(u, metric, band))
    return gap > printed_value(band_width(band))


def near_best(runs: pd.DataFrame, metric: str, band: tuple) -> pd.DataFrame:
    """The runs (rows with method and metric) not told apart (told_apart) from the best as printed
    (printed_best): the printed ties and every run within the band's width of them."""
    best = printed_best(runs, metric, band)[metric].iloc[0]
    return runs[[not told_apart(v, best, metric, band) for v in runs[metric]]]


def truth_level_words(band: tuple) -> str:
    """The signed gap's target in words: "the truth's level (the dashed line, the true sets' mean,
    -0.0103)": band[0], the mean of the true sets' gaps, not the middle of their range."""
    return f"the truth's level (the dashed line, the true sets' mean, {value_text(band[0])})"


def printed_value(v) -> float:
    """A value as the table and the heading print it (value_text), read back as a number."""
    return float(value_text(v).replace(",", ""))


def band_side(v, band: tuple, metric: str) -> str:
    """Where a run's value v lies against the noise band the chart draws (band: mean, low, high), as
    printed (printed_value: a value printed like the band's edge is on it, so inside): "inside" for
    low <= v <= high, "above" over high, "below" under low, for every measure (a distance under the
    band is not a match with the truth: below_words says what it is)."""
    v, low, high = printed_value(v), printed_value(band[1]), printed_value(band[2])
    if v > high:
        return "above"
    return "below" if v < low else "inside"


def just_below(v, band: tuple) -> bool:
    """Whether v lies below the noise band (band: mean, low, high) by no more than its width:
    low − (high − low) <= v < low, where one shared draw of the starting noise can put it (just_above's
    rule, mirrored)."""
    return band_side(v, band, "") == "below" and band_side(v, widened(band), "") != "below"


def below_words(band: tuple, metric: str, v=None) -> str:
    """A value under the noise band's low, in words: for a distance, closer to the reference than
    independent true sets of this size land (the measure, not the sampler, speaks there); for the
    signed log-likelihood gap, a mean log p₀ higher than true samples reach (samples crowding the modes),
    said only below the band by more than its width: a v (the farthest value said) just below it
    (just_below) is not evidence of crowding on its own."""
    if metric == "loglik_gap" and v is not None and just_below(v, band):
        return (f"just below {band_words(band)}, by less than its width ({value_text(band_width(band))}): every "
                "sampler starts from the same noise, so at this sample count one shared draw of it can put a sampler "
                "there: by this measure alone it is not evidence of crowding on its own")
    if metric == "loglik_gap":
        return (f"below {band_words(band)}: a higher mean log p₀ than true samples of this size reach, "
                "the mark of samples crowding the modes")
    return (f"below {band_words(band)}: closer to the reference than a set of true samples of this size "
            "lands, which a sampler does not do by being good: at this sample count the measure cannot vouch for it")


def broad_note(df: pd.DataFrame, band: tuple, metric: str, name: str, narrowest: float, label,
               bands: dict | None = None, n_at_most: str = "", lam: float | None = None, grid: str = "recommended",
               prior_said: bool = False) -> str:
    """For a mixture of broad modes (narrowest std), where the samplers still differ, read off the runs
    df (columns method, budget, metric) against the band the chart draws (band_side): the largest
    budget at which a sampler lies outside it, and which: above it (at the largest budget "still
    outside" only beyond the band's width, beyond_width; one just above it is named apart:
    just_above_words, with the other measures of the same runs that put it beyond their own band's
    width, elsewhere_beyond, bands: every measure's band) and below it (below_words, never as not yet
    converged; for the signed gap one just below it, just_below, is named apart with elsewhere_beyond too); or that every sampler is inside from the smallest budget at which all are; then the
    pointer to ring8, whose sharp modes make them differ. n_at_most: which limit keeps Samples per run at its most
    (just_above_words). With the process's λ and the grid, just-above runs the prior's gap keeps up
    (prior_kept: noiseless, the best noisy run of the same budget more than the band's width nearer the
    truth, as the prior-gap paragraph reads it) are said apart (prior_kept_words; prior_said: that
    paragraph is on the page)."""
    sides = {b: {m: band_side(v, band, metric) for m, v in g.set_index("method")[metric].items()}
             for b, g in df.groupby("budget")}
    budgets = sorted(sides)
    last = max((b for b in budgets if set(sides[b].values()) != {"inside"}), default=None)
    head = f"The modes of **{name}** are broad (narrowest std {narrowest:.2f})"
    if last is None:
        return (head + f": every sampler here is inside {band_words(band)} at every budget."
                + inside_unseen(df[df["budget"] == budgets[-1]], metric, band, bands, label)
                + " Pick **ring8** (std 0.15) in the sidebar to see the integrator and the time grid matter at every budget.")
    at = df[df["budget"] == last].set_index("method")
    above = [m for m, side in sides[last].items() if side == "above"]
    under = [m for m, side in sides[last].items() if side == "below"]
    near = [m for m in under if metric == "loglik_gap" and just_below(at.at[m, metric], band)]
    groups = [(g, below_words(band, metric, at.loc[g, metric].min()) + (elsewhere_beyond(
        at.loc[g].reset_index(), metric, bands, label) if g == near else ""))
              for g in (near, [m for m in under if m not in near]) if g]
    low = ""
    for g, words in groups:      # a group after another measure's band names the measure in use again
        low += ("; " if low else "") + by_measure_again(low, metric) + \
            f"{_and([label(m) for m in g])} {'lies' if len(g) == 1 else 'lie'} {words}"
    if last == budgets[-1]:
        just = [m for m in above if just_above(at.at[m, metric], band)]
        still = [label(m) for m in above if m not in just]
        far = [at.at[m, metric] for m in above if m not in just]
        said = (f", yet at the largest budget, {last} evaluations, {_and(still)} {'is' if len(still) == 1 else 'are'} "
                f"still outside {band_words(band)}, {beyond_words(far, band)}; " if still else
                f": at the largest budget, {last} evaluations, ")
        kept, noisy = prior_kept(df[df["budget"] == last], just, band, metric, lam, grid)
        rest = [m for m in just if m not in kept]
        for group, words in ((kept, lambda: prior_kept_words(band, noisy, metric, label, prior_said)),
                             (rest, lambda: just_above_words(band, n_at_most, [label(m) for m in rest]))):
            if group:
                said += (f"{_and([label(m) for m in group])} {'lies' if len(group) == 1 else 'lie'} " + words()
                         + elsewhere_beyond(at.loc[group].reset_index(), metric, bands, label) + "; ")
        inside = [label(m) for m, side in sides[last].items() if side == "inside"]
        back = by_measure_again(said, metric)      # after another measure's band: name the one in use again
        if inside and (still or just):
            said += (f"{back}{_and(inside)} {'lies' if len(inside) == 1 else 'lie'} "
                     + (f"inside {band_words(band)}; " if back else "inside it; "))
        said = (said + (back + low if low else "")).removesuffix("; ")
    else:
        said = differ_words(df, band, metric, label, budgets[:budgets.index(last) + 1], n_at_most, bands)
        back = by_measure_again(said, metric)      # after another measure's band: name the one in use again
        said += (f"; and {back}every one is inside {band_words(band) if back else 'it'} from "
                 f"{budgets[budgets.index(last) + 1]} on" if ";" in said else
                 f", and every one is inside it from {budgets[budgets.index(last) + 1]} on") \
            + (f"; at {last} evaluations {low}" if low else "")
    return (head + said + "." + inside_unseen(df[df["budget"] == budgets[-1]], metric, band, bands, label)
            + " Pick **ring8** (std 0.15) in the sidebar to see the integrator and the time grid matter at every budget.")


def differs_at(g: pd.DataFrame, band: tuple, metric: str) -> bool:
    """Whether the runs at one budget (g: rows with the measure) differ by more than the noise: some run
    lies off the band the chart draws by more than its width, above or below (band_side on the widened
    band); a run just above or just below it (just_above, just_below), where one shared draw of the
    starting noise can put it, does not count."""
    return any(band_side(v, widened(band), metric) != "inside" for v in g[metric])


def differ_words(df: pd.DataFrame, band: tuple, metric: str, label, budgets, n_at_most: str = "",
                 bands: dict | None = None) -> str:
    """Up to which of the budgets (ascending, the last one with a run off the band) the samplers differ
    (differs_at), with the runs above the band by more than its width there (and those below it, where later
    budgets follow: at the last one the caller says them with below_words); the runs just above it at
    later budgets named apart with their values (just_above_words, elsewhere_beyond), in words starting
    ": the samplers differ up to 20 evaluations (…)"; where no budget differs, that they differ by no
    more than the noise."""
    runs = {b: df[df["budget"] == b] for b in budgets}
    last = max((b for b in budgets if differs_at(runs[b], band, metric)), default=None)
    if last is None:
        said = ": at no budget do the samplers differ by more than the noise"
    else:
        at = list(zip(runs[last]["method"], runs[last][metric]))
        far = [label(m) for m, v in at if beyond_width(v, band)]
        under = [label(m) for m, v in at if band_side(v, band, metric) == "below"
                 and last != budgets[-1]]     # at the last budget off the band the caller says them (below_words)
        parts = ([f"{_and(far)} above {band_words(band)} by more than its width ({value_text(band_width(band))})"]
                 if far else []) + ([f"{_and(under)} below {'it' if far else band_words(band)}"] if under else [])
        said = f": the samplers differ up to {last} evaluations" + (f" ({'; '.join(parts)} there)" if parts else "")
    later = [runs[b] for b in budgets if last is None or b > last]
    if not later:
        return said
    later = pd.concat(later)
    edge = later[[just_above(v, band) for v in later[metric]]]
    if edge.empty:
        return said
    names = list(dict.fromkeys(edge["method"]))
    values = [_and([f"{value_text(v)} at {int(b)}" for b, v in zip(g["budget"], g[metric])])
              for g in (edge[edge["method"] == m] for m in names)]
    who = _and([f"{label(m)} ({v})" for m, v in zip(names, values)])
    start = "" if last is None else f" from {budgets[budgets.index(last) + 1]} on,"
    return (said + f";{start} {who} {'lies' if len(names) == 1 else 'lie'} "
            + just_above_words(band, n_at_most, [label(m) for m in names])
            + elsewhere_beyond(edge, metric, bands, label))


def by_measure_again(said: str, metric: str) -> str:
    """"by W₁ of log p₀, " where the text so far last spoke of another measure's band (elsewhere_beyond's
    "but in the same runs"), so that the next "inside"/"below" is read against the band of the measure in
    use, named with its range, not the other measure's; "" otherwise."""
    return f"by {_metric_name(metric)}, " if "; but in the same runs" in said else ""


def prior_kept(runs: pd.DataFrame, names, band: tuple, metric: str, lam: float | None, grid: str) -> tuple:
    """Of the samplers `names` among the runs at one budget (rows of the runs df), those the prior's gap
    keeps up, read as the prior-gap paragraph reads it (top_gap_text): each injects no noise (injects) and
    the best noiseless run there lies farther from a perfect sampler than the best noisy one the measure
    vouches for (reference_run: one below the band counts at its bottom edge) by more than the band's width
    (gap_stays); with that noisy run (a row with d = _distance). ([], None) for
    none, or without λ."""
    if lam is None or not names:
        return [], None
    sde = dc.VESDE(lam)
    dist = runs.assign(d=[_distance(v, metric, band) for v in runs[metric]])
    _, quiet_run, noisy = best_by_kind(dist, sde, grid, metric, band)
    noisy_run = reference_run(dist, sde, grid, metric, band)
    if noisy_run is None or quiet_run is None or not gap_stays(quiet_run, noisy_run, band):
        return [], None
    kept = [m for m in names if not noisy[m]]
    return kept, noisy_run if kept else None


def prior_kept_words(band: tuple, noisy: pd.Series, metric: str, label, prior_said: bool) -> str:
    """Noiseless runs just above the noise band that the prior's gap keeps up (prior_kept), in words: by the
    band alone not evidence, but the best noisy run inside the band from the same starting noise (noisy: a
    row, reference_run) lies more than the band's width nearer a perfect sampler, with its value."""
    where = "below them" if metric != "loglik_gap" else "nearer the truth's level than them"
    many = len(noisy.get("tied", ())) > 1
    return (f"just above {band_words(band)}, by less than its width ({value_text(band_width(band))}); by the band "
            f"alone that would not be evidence, but the best noisy run{'s' if many else ''} from the same "
            f"starting noise {'tie' if many else 'lies'} {'below it' if 'edge' in noisy else 'inside it'} at {int(noisy['budget'])} "
            f"({run_names(noisy, label)} "
            f"{reference_words(noisy, metric)}), more than the band's width {where}: "
            + ("the prior's gap below is what keeps the noiseless runs up" if prior_said else
               "the noiseless runs miss what the noisy ones reach"))


def band_words(band: tuple) -> str:
    """The noise band as the page's heading and the chart's label give it: its low and high."""
    return f"the noise band (range {value_text(band[1])}–{value_text(band[2])})"


def _lowest(metric: str, k: int = 1) -> str:
    """A budget's best value by the measure's rule, in words: the value closest to the truth's level
    for the signed log-likelihood gap (_distance), the lowest value for a distance (plural for k > 1)."""
    word = "value closest to the truth's level" if metric == "loglik_gap" else "lowest value"
    return word.replace("value", "values") if k > 1 else word


def _inside_count(values, band: tuple, metric: str) -> int:
    """How many of a budget's values lie inside the noise band the chart draws (band_side)."""
    return sum(band_side(v, band, metric) == "inside" for v in values)


def tied_values_text(tied: pd.DataFrame, metric: str, label) -> str:
    """The runs tied as printed (printed_best's rows) with their values: "A and B (0.113)" where the
    table prints one value for them all; "A (0.0716) and B (0.0466)" where a signed gap is as far
    from the truth's level on both sides."""
    printed = [value_text(v) for v in tied[metric]]
    if len(set(printed)) == 1:
        return f"{_and([label(m) for m in tied['method']])} ({printed[0]})"
    return _and([f"{label(m)} ({v})" for m, v in zip(tied["method"], printed)])


def winners_text(df: pd.DataFrame, band: tuple, metric: str, label) -> str:
    """Which sampler wins at each budget, read off the runs df (columns method, budget, metric),
    every one of them where several share the lowest value (the signed log-likelihood gap: the
    value closest to 0, printed with its sign), and from which budget the winner is inside the
    noise band the chart draws (band_side; band: mean, low, high): a winner inside the band cannot
    be told from the truth at this sample size; one below it is named apart (below_words), never
    as a match with the truth; where some budget's winner is inside, every budget whose winner lies
    above it is named ("just above" within the band's width, just_above). Where the winner is outside
    the band, the count of samplers inside it at that budget is said too (a lopsided band can hold a signed gap farther from 0 than the
    winner). label(method): its name."""
    parts, sides, values, counts = [], {}, {}, {}
    budgets = [int(b) for b in sorted(df["budget"].unique())]
    for b in budgets:
        at = df[df["budget"] == b].assign(d=lambda f: [_distance(v, metric, band) for v in f[metric]])
        best = at.loc[at["d"].idxmin()]
        parts.append(f"{b}: {tied_values_text(printed_best(at, metric, band), metric, label)}"
                     + crowd_words(at, band, metric))
        sides[b], values[b] = band_side(best[metric], band, metric), best[metric]
        counts[b] = (_inside_count(at[metric], band, metric), len(at))
    inside = [b for b in budgets if sides[b] == "inside"]
    below = [b for b in budgets if sides[b] == "below"]
    near = f"just above it (by less than its width, {value_text(band_width(band))})"
    above = [f"at {b} the {_lowest(metric)} ({value_text(values[b])}) lies {near if just_above(values[b], band) else 'above it'}"
             + (f" while {counts[b][0]} of {counts[b][1]} samplers {_verb(counts[b][0], 'lies', 'lie')} inside it" if counts[b][0] else "")
             for b in budgets if sides[b] == "above" and (inside or counts[b][0])]
    if not inside:
        tail = f" No budget here brings the best inside {band_words(band)}"
    elif inside == budgets[budgets.index(inside[0]):]:
        tail = (f" From {inside[0]} evaluations the best is inside {band_words(band)}, where the measure cannot "
                "tell it from the truth")
    else:
        tail = (f" The best is inside {band_words(band)} at {_and([str(b) for b in inside])} evaluations, where "
                "the measure cannot tell it from the truth")
    tail += (f", but {'; '.join(above)}" if above else "") + "."
    if below:
        tail += (f" At {_and([str(b) for b in below])} evaluations the {_lowest(metric, len(below))} "
                 f"({_and([value_text(values[b]) for b in below])}) {'lie' if len(below) > 1 else 'lies'} "
                 f"{below_words(band, metric, min(values[b] for b in below))}.")
        held = [f"{counts[b][0]} of {counts[b][1]} samplers at {b}" for b in below if counts[b][0]]
        if held:
            tail += f" Inside the band there lie {_and(held)}."
    rule = f", by the value closest to {truth_level_words(band)}" if metric == "loglik_gap" else ""
    return f"**Best sampler per budget**{rule} (NFE: sampler, value): " + "; ".join(parts) + "." + tail


def crowd_words(at: pd.DataFrame, band: tuple, metric: str) -> str:
    """For one budget's runs (at), the runs beside the best as printed that are not told apart from it
    (near_best), in words: ", with 4 more within the band's width (0.0323) of it: not told apart at
    this sample count"; "" where every other run lies farther than the band's width from it."""
    more = len(near_best(at, metric, band)) - len(printed_best(at, metric, band))
    if not more:
        return ""
    return (f", with {more} more within the band's width ({value_text(band_width(band))}) of "
            f"{'it' if len(printed_best(at, metric, band)) == 1 else 'them'}: not told apart at this sample count")


def band_width(band: tuple) -> float:
    """The noise band's width, high − low (band: mean, low, high): the spread of true sets alone."""
    return float(band[2]) - float(band[1])


def just_above(v, band: tuple) -> bool:
    """Whether v lies above the noise band (band: mean, low, high) by no more than its width:
    low < high < v <= high + (high − low). Every sampler starts from the same noise, so one shared
    draw of it can put them all there: a band from a few true-vs-true sets is a range a further
    true set often leaves."""
    return band_side(v, band, "") == "above" and not beyond_width(v, band)


def widened(band: tuple) -> tuple:
    """The noise band (band: mean, low, high) grown by its width on either side: (mean, low − (high − low),
    high + (high − low)), the limits just_above, just_below and beyond_width read with band_side's
    printed rule (a value printed like a limit is on it, not past it)."""
    w = band_width(band)
    return band[0], float(band[1]) - w, float(band[2]) + w


MOST_WORDS = {"slider": "this many is the slider's most",
              "budgets": "this many is the most that fits these budgets and samplers"}


def just_above_words(band: tuple, n_at_most: str = "", names=None) -> str:
    """A value just above the noise band (just_above), in words: not evidence of a miss of the runs named
    (names: their labels; None: "the samplers" of a sentence about all of them); more samples
    per run would tell (n_at_most: which limit keeps Samples per run where it is, a key of MOST_WORDS:
    "slider", its maximum, or "budgets", the sample cap for these budgets and samplers; "" for none)."""
    more = (f"more samples per run would tell; {MOST_WORDS[n_at_most]}" if n_at_most else
            "raise **Samples per run** to tell")
    who, put = ("the samplers", "every sampler") if names is None else (_and(list(names)),) * 2
    miss = "miss" if names is None or len(names) > 1 else "misses"
    return (f"just above {band_words(band)}, by less than its width ({value_text(band_width(band))}): every sampler "
            f"starts from the same noise, so at this sample count one shared draw of it can put {put} "
            f"there: by this measure alone it is not evidence that {who} {miss} the truth ({more})")


def beyond_words(values, band: tuple, ref: str = "it") -> str:
    """Values above the noise band by more than its width (beyond_width), in words, with their span:
    "above it by more than its width (0.0866), 2.35 to 30.9: those miss it" (ref: how the band is named)."""
    lo, hi = min(values, key=float), max(values, key=float)
    span = value_text(lo) if value_text(lo) == value_text(hi) else f"{value_text(lo)} to {value_text(hi)}"
    return (f"above {ref} by more than its width ({value_text(band_width(band))}), {span}: "
            + ("those miss it" if len(values) > 1 else "that one misses it"))


def others_text(at: pd.DataFrame, said, band: tuple, metric: str, label) -> str:
    """How the runs at one budget (at: rows with method and the measure) other than those already said
    (said: methods) stand against the noise band the chart draws (band_side; band: mean, low, high):
    inside it, above it by more than its width (beyond_words: they miss it), just above it too
    (just_above), below it; each group named (by count beyond three), in words: " Of the other 7 at 100
    evaluations, all 7 lie above the band by more than its width (…), 2.35 to 30.9: those miss it."; ""
    for none."""
    rest = at[~at["method"].isin(list(said))]
    if rest.empty:
        return ""
    groups = {"inside": [], "beyond": [], "edge": [], "below": []}
    for m, v in zip(rest["method"], rest[metric]):
        side = band_side(v, band, metric)
        groups["below" if side == "below" else "inside" if side == "inside" else
               "beyond" if beyond_width(v, band) else "edge"].append((m, v))
    words = {"inside": lambda g, ref: f"inside {ref}", "edge": lambda g, ref: f"just above {ref} too",
             "beyond": lambda g, ref: beyond_words([v for _, v in g], band, ref), "below": lambda g, ref: f"below {ref}"}
    said = [k for k, g in groups.items() if g]
    parts = [f"{_subject(groups[k], len(rest), label)} {'lies' if len(groups[k]) == 1 else 'lie'} "
             + words[k](groups[k], "the band" if i == 0 else "it") for i, k in enumerate(said)]
    other = f"other {len(rest)}" if len(rest) > 1 else "other one"
    return f" Of the {other} at {int(at['budget'].max())} evaluations, {'; '.join(parts)}."


def _subject(group, total: int, label) -> str:
    """A group of runs (method, value) as a sentence's subject: their names up to three, else
    "all 7" (the whole of total) or "4 of the other 7" (not "4 of them", which reads as the group said
    just before)."""
    if len(group) <= 3:
        return _and([label(m) for m, _ in group])
    return f"all {total}" if len(group) == total else f"{len(group)} of the other {total}"


def beyond_width(v, band: tuple) -> bool:
    """Whether v lies above the noise band (band: mean, low, high) by more than its width:
    v > high + (high − low) as printed (band_side on the widened band: a value printed like that limit is
    not past it), farther than one shared draw of the starting noise is taken to lift it."""
    return band_side(v, widened(band), "") == "above"


def elsewhere_beyond(runs: pd.DataFrame, metric: str, bands: dict | None, label) -> str:
    """For runs (rows of the runs df, holding every measure of sweep.METRICS) that the measure in use
    puts just above its band: each other measure that puts some of them above its own band by more
    than its width (beyond_width; bands[m]: mean, low, high), with their values, in words starting
    "; but in the same runs"; "" where none does or there are no bands."""
    said = []
    for m in sweep.METRICS:
        if m == metric or not bands or m not in bands or m not in runs:
            continue
        far = [f"{label(r['method'])} ({value_text(r[m])})" for _, r in runs.iterrows() if beyond_width(r[m], bands[m])]
        if far:
            said.append(f"{_metric_name(m)} puts {_and(far)} above {band_words(bands[m])} by more than its width "
                        f"({value_text(band_width(bands[m]))})")
    return f"; but in the same runs {'; and '.join(said)}" if said else ""


def inside_unseen(runs: pd.DataFrame, metric: str, band: tuple, bands: dict | None, label) -> str:
    """For runs (rows of the runs df at one budget, holding every measure of sweep.METRICS): the samplers
    the measure in use puts inside its band (band_side) that another measure puts above its own band by
    more than its width (beyond_width; bands[m]: mean, low, high), each with its value, in words: " The
    samplers inside the band by W₁ of log p₀, …, are not all as good as the truth: in the same runs sliced
    W₂ distance puts 6 of them above its band by more than its width: reverse SDE 0.0846; …; UniPC, noisy
    start 0.0819: W₁ of log p₀ does not see what
    sliced W₂ distance sees."; "" where no other measure does or there are no bands."""
    inside = runs[[band_side(v, band, metric) == "inside" for v in runs[metric]]]
    said, seers = [], []
    for m in sweep.METRICS:
        if m == metric or not bands or m not in bands or m not in inside:
            continue
        far = [f"{label(r['method'])} {value_text(r[m])}" for _, r in inside.iterrows() if beyond_width(r[m], bands[m])]
        if far:
            seers.append(_metric_name(m))
            said.append(f"{_metric_name(m)} puts {len(far)} of them above {band_words(bands[m])} by more than its width "
                        f"({value_text(band_width(bands[m]))}): {'; '.join(far)}")
    if not said:
        return ""
    return (f" At {int(runs['budget'].max())} evaluations {len(inside)} of {len(runs)} samplers {_verb(len(inside), 'lies', 'lie')} inside the band by "
            f"{_metric_name(metric)}, but in the same runs {'; and '.join(said)}: {_metric_name(metric)} does not see "
            f"what {' or '.join(seers)} sees.")


def network_error_seen(v, e, band: tuple, metric: str) -> bool:
    """Whether a measure sees the network's error at one budget: the learned score's best v lies above
    the noise band the chart draws (band_side; band: mean, low, high) and beyond the exact score's best
    e, with the same samplers and starting noise, by more than the band's width (high − low), the
    spread of true sets alone (distances by _distance: the signed gap by its size)."""
    gap = _distance(v, metric, band) - _distance(e, metric, band)
    return band_side(v, band, metric) == "above" and gap > band_width(band)


def _verb(count: int, one: str, many: str) -> str:
    """The verb agreeing with "count of n samplers": "1 of 8 samplers lies", "3 of 8 samplers lie"."""
    return one if int(count) == 1 else many


def _metric_name(metric: str) -> str:
    """A measure's name as sentences use it, without its bracket: "W₁ of log p₀"."""
    return sweep.METRIC_LABELS[metric].split(" (")[0]


def _best_at_top(runs: pd.DataFrame, metric: str, band: tuple):
    """The value closest to a perfect sampler's (_distance against band: mean, low, high) among runs
    at their largest budget, signed as the table shows it."""
    return min(runs.loc[runs["budget"] == runs["budget"].max(), metric], key=lambda x: _distance(x, metric, band))


def other_measures_text(df: pd.DataFrame, exact: pd.DataFrame, metric: str, bands: dict | None) -> str:
    """Where the measure in use cannot see the learned score's error, whether the other measures of the
    same runs do (df, exact: the learned and the exact score's runs, holding every measure of
    sweep.METRICS): at the largest budget, the learned best above that measure's noise band
    (bands[m]: mean, low, high) and beyond the exact score's best by more than the band's width
    (network_error_seen); else each says where it puts the learned best (_unseen_words), and where one
    puts it above its band none is said to put it inside; with no bands, a pointer to the other measures."""
    others = [m for m in sweep.METRICS if m != metric and m in df and m in exact]
    if not others:
        return ""
    if bands is None:
        return f" {' or '.join(_metric_name(m) for m in others)} may see it: pick it above."
    seen, unseen, above = _seen_by_others(df, exact, metric, bands), [], False
    for m in others:
        v, e = _best_at_top(df, m, bands[m]), _best_at_top(exact, m, bands[m])
        if not network_error_seen(v, e, bands[m], m):
            above = above or band_side(v, bands[m], m) == "above"
            unseen.append(_unseen_words(v, e, bands[m], m))
    if seen:
        return f" In the same runs {'; '.join(seen)}."
    if above:
        who = "neither other measure" if len(others) == 2 else "no other measure"
        return f" In the same runs {who} tells the network from the exact score: {'; '.join(unseen)}."
    return f" In the same runs no other measure sees it either: {'; '.join(unseen)}."


def _seen_by_others(df: pd.DataFrame, exact: pd.DataFrame, metric: str, bands: dict | None) -> list[str]:
    """The other measures of the same runs (df, exact: the learned and the exact score's runs) that see
    the network's error at the largest budget (network_error_seen against bands[m]), each in words with
    the learned best, its ratio to the exact score's best and the band: "W₁ of log p₀ sees it: best 0.427,
    2.9× the exact score's 0.145, above the noise band (range …)"; [] for none or no bands."""
    said = []
    for m in sweep.METRICS:
        if m == metric or not bands or m not in bands or m not in df or m not in exact:
            continue
        v, e = _best_at_top(df, m, bands[m]), _best_at_top(exact, m, bands[m])
        if network_error_seen(v, e, bands[m], m):
            said.append(f"{_metric_name(m)} sees it: best {value_text(v)}, "
                        f"{_distance(v, m, bands[m]) / max(_distance(e, m, bands[m]), 1e-12):.1f}× the exact score's {value_text(e)}, "
                        f"above {band_words(bands[m])}")
    return said


def _unseen_words(v, e, band: tuple, metric: str) -> str:
    """How a measure that does not see the network's error (network_error_seen) reads the learned
    best v against its band (band: mean, low, high) and the exact score's best e: above the band
    but not beyond e by more than the band's width, it cannot tell the network's error from the
    noise; inside the band it cannot tell it from the noise at this many samples; below the band it
    cannot say (below_words: samples crowding the modes for the signed gap)."""
    side, name = band_side(v, band, metric), _metric_name(metric)
    if side == "inside":
        return (f"{name} puts it inside its band (best {value_text(v)}, {band_words(band)}; the exact score's "
                f"{value_text(e)}): it cannot tell the network's error from the noise at this many samples")
    if side == "below":
        why = ("a higher mean log p₀ than true samples reach, samples crowding the modes" if metric == "loglik_gap"
               else "closer to the reference than true samples of this size land")
        return (f"{name} puts it below its band (best {value_text(v)}, {band_words(band)}; the exact score's "
                f"{value_text(e)}): {why}, so it cannot say whether the network's error shows")
    e_side = band_side(e, band, metric)
    gap = _distance(v, metric, band) - _distance(e, metric, band)
    near = (f"within the band's width ({value_text(band_width(band))}) of" if gap >= -band_width(band)
            else "below")
    return (f"{name} puts it above its band ({value_text(v)} against the top {value_text(band[2])}) but {near} "
            f"the exact score's {value_text(e)}" + (f", itself {e_side} the band" if e_side != "inside" else "")
            + ": it cannot tell the network's error from the noise")


def _seen_per_sampler(last: pd.DataFrame, exact: pd.DataFrame, band: tuple, metric: str, label) -> str:
    """The samplers whose learned-score run at the largest budget (last) shows the network's error
    against the exact score's run of the same sampler (network_error_seen), in words with both values:
    "PF ODE (Heun) (1.30 against the exact score's 0.212 with the same sampler)"; "" for none."""
    top = int(last["budget"].max())
    ex = exact[exact["budget"] == top] if "budget" in exact else exact
    ex = ex.set_index("method")[metric]
    said = [f"{label(m)} ({value_text(v)} against the exact score's {value_text(ex[m])})"
            for m, v in last.set_index("method")[metric].items()
            if m in ex.index and network_error_seen(v, ex[m], band, metric)]
    return (f"{_and(said)} it shows, each against the exact score with the same sampler and starting noise"
            if said else "")


def plateau_text(df: pd.DataFrame, band: tuple, metric: str, grid: str, t_eps: float, label,
                 exact: pd.DataFrame | None = None, bands: dict | None = None, n_at_most: str = "") -> str:
    """What limits the curves at the largest budget, read off the runs df (columns method,
    budget, metric) against the noise band the chart draws (band_side; band: mean, low, high) and,
    for the learned score, against the exact score's runs at that budget (`exact`, same columns);
    where this measure cannot see the network's error, other_measures_text reads the others
    (bands: every measure's band, as floor gives them); with the exact score, a best just above the
    band (just_above) is not called a plateau above it (just_above_words, n_at_most: Samples per run is
    at its most). Values print as the table shows them (the
    signed gap with its sign). label(method): its name."""
    top = int(df["budget"].max())
    dist = df.assign(d=[_distance(v, metric, band) for v in df[metric]])
    last = dist[dist["budget"] == top]
    best = last.loc[last["d"].idxmin()]
    v = float(best["d"])
    tied_runs = printed_best(last, metric, band)["method"]        # as winners_text says
    tied = [label(m) for m in tied_runs]
    side = band_side(best[metric], band, metric)
    inside = _inside_count(last[metric], band, metric)
    held = f" while {inside} of {len(last)} samplers {_verb(inside, 'lies', 'lie')} inside it" if inside else ""
    head = (f"At {top} evaluations the best sampler{'s' if len(tied) > 1 else ''} ({_and(tied)}) "
            f"reach{'' if len(tied) > 1 else 'es'} **{value_text(best[metric])}**")
    if exact is not None and len(exact):
        e_value = min(exact[metric], key=lambda x: _distance(x, metric, band))
        e = _distance(e_value, metric, band)
        if side == "inside":
            shown = _seen_per_sampler(last, exact, band, metric, label)
            return (f"{head} with the learned score, inside {band_words(band)}: "
                    + (f"with that sampler the network's error is below what the {_metric_name(metric)} can "
                       f"measure at this many samples, but with {shown}." if shown else
                       f"the network's error is below what the {_metric_name(metric)} can measure at this many "
                       "samples.")
                    + other_measures_text(df, exact, metric, bands))
        if side == "below":
            return (f"{head} with the learned score, {below_words(band, metric, best[metric])}: whether the network's error "
                    "shows, this measure cannot say here." + other_measures_text(df, exact, metric, bands))
        if network_error_seen(best[metric], e_value, band, metric):
            return (f"{head} with the learned score, **{v / max(e, 1e-12):.1f}×** the exact score's best at "
                    f"the same budget ({value_text(e_value)}) and {side} {band_words(band)}{held}: with the same samplers "
                    "and starting noise, that gap is the **network's error**. " + trend_text(dist, band, label, metric)
                    + (f" With this fixed grid the end time ε (now {t_eps:g}) is yours to change as well."
                       if grid != "recommended" else ""))
        near = (f"within the band's width ({value_text(band_width(band))}) of the exact score's best at the same "
                f"budget ({value_text(e_value)}): with the same samplers and starting noise, the two cannot be told "
                "apart here")
        if seen := _seen_by_others(df, exact, metric, bands):
            verdict = (f" by this measure; but in the same runs {'; '.join(seen)}: there the network's error shows, "
                       "with the same samplers and starting noise.")
        elif just_above(best[metric], band):
            verdict = ", so neither the sampler nor the network is shown to limit the curves at this sample count."
        else:
            verdict = ", so the sampler, not the network, limits the curves."
        if just_above(best[metric], band):
            return (f"{head} with the learned score, {just_above_words(band, n_at_most, tied)}; and it lies {near}{verdict}"
                    + others_text(last, tied_runs, band, metric, label))
        return f"{head} with the learned score, {side} {band_words(band)}, {near}{verdict}"
    unseen = inside_unseen(last, metric, band, bands, label)
    if side == "inside":
        return (f"{head}; {inside} of {len(last)} samplers {_verb(inside, 'is', 'are')} inside {band_words(band)}: as "
                "good as the truth at this sample size by this measure." + unseen)
    if side == "below":
        return (f"{head}, {below_words(band, metric, best[metric])}."
                + (f" {inside} of {len(last)} samplers {_verb(inside, 'is', 'are')} inside the band." if inside else ""))
    if held:
        return (f"{head}, {side} {band_words(band)}{held}: those are as good as the truth at this sample size by "
                "this measure." + unseen)
    if just_above(best[metric], band):
        return (f"{head}, {just_above_words(band, n_at_most, tied)}{elsewhere_beyond(last.loc[[best.name]], metric, bands, label)}."
                + others_text(last, tied_runs, band, metric, label))
    budgets = sorted(dist["budget"].unique())
    if worse := worse_text(dist, band, metric):
        return f"{head}, still {side} {band_words(band)}, and {worse}"
    if no_help := no_help_text(dist, band, metric):
        return (f"{head}, still {side} {band_words(band)}; {no_help}"
                + (f"; with this fixed grid the end time ε = {t_eps:g} may be what limits these curves (try a smaller one)."
                   if grid != "recommended" else "."))
    b0 = last_doubling(budgets)
    prev_row = dist[dist["budget"] == b0].loc[lambda f: f["d"].idxmin()] if b0 is not None else None
    flat = prev_row is not None and abs(v - float(prev_row["d"])) <= band_width(band)      # trend_text's rule
    if flat and grid != "recommended":
        return (f"{head}, {side} {band_words(band)}, and the best at {int(b0)} "
                f"evaluations was {value_text(prev_row[metric])}: more steps barely help, so the step count is not "
                f"what limits these curves; with this fixed grid the end time ε = {t_eps:g} is (try a smaller one).")
    return (f"{head}, still {side} {band_words(band)}"
            + (f"; more evaluations barely help at these settings (the best at {int(b0)} evaluations was "
               f"{value_text(prev_row[metric])}, within the band's width)." if flat else
               ": more evaluations bring the curves down further."))


def last_doubling(budgets) -> int | None:
    """The budget the last doubling starts from: the largest budget at most half the largest, else
    the one before it; None for a single budget."""
    budgets = sorted(int(b) for b in budgets)
    if len(budgets) < 2:
        return None
    return max((b for b in budgets if b <= budgets[-1] / 2), default=budgets[-2])


def _lowest_earlier(dist: pd.DataFrame) -> tuple[dict, int, int | None]:
    """Each budget's best run of dist (columns method, budget, metric, d = _distance), {budget: row};
    the largest budget; and the earlier budget whose best is closest to a perfect sampler's (the
    first of equals), None for a single budget."""
    best = {int(b): g.loc[g["d"].idxmin()] for b, g in dist.groupby("budget")}
    top = max(best)
    early = min((b for b in best if b != top), key=lambda b: float(best[b]["d"]), default=None)
    return best, top, early


def no_help_text(dist: pd.DataFrame, band: tuple, metric: str) -> str:
    """Where an earlier budget's best (dist as _lowest_earlier's) is closer to a perfect sampler's
    as printed (printed_distance) than the largest budget's, by no more than the noise band's
    width (worse_text's rule beyond it): "more evaluations do not help at these settings: the best
    was lowest at 8 evaluations, 0.332, and the best at 100 lies above it by less than the band's
    width"; "" where it is not."""
    best, top, early = _lowest_earlier(dist)
    if early is None:
        return ""
    low, last = (printed_distance(best[b][metric], metric, band) for b in (early, top))
    if low >= last:
        return ""
    gap = metric == "loglik_gap"
    return (f"more evaluations do not help at these settings: the best was "
            f"{'closest to the truth' + chr(39) + 's level' if gap else 'lowest'} at {early} evaluations, "
            f"{value_text(best[early][metric])}, and the best at {top} ({value_text(best[top][metric])}) lies "
            f"{'farther from it' if gap else 'above it'} by less than the band's width ({value_text(band_width(band))})")


def worse_text(dist: pd.DataFrame, band: tuple, metric: str) -> str:
    """Where the best at the largest budget (dist: columns method, budget, metric, d = _distance) is
    worse than the best at an earlier budget by more than the noise band's width (high − low), both
    bests in words: "more evaluations make the best worse here: 0.0473 at 8 evaluations, inside the
    band, 0.173 at 100."; "" where it is not."""
    best, top, early = _lowest_earlier(dist)
    if early is None or float(best[top]["d"]) - float(best[early]["d"]) <= band_width(band):
        return ""
    return (f"more evaluations make the best worse here: {value_text(best[early][metric])} at {early} evaluations, "
            f"{band_side(best[early][metric], band, metric)} the band, {value_text(best[top][metric])} at {top}.")


_TREND_WORDS = {       # (flat, falling, rising) over the last doubling, for a distance and for the signed gap
    "distance": ("changed by less than the noise band's width ({w}): flattened: the extra evaluations did not "
                 "lower {them}", "still fell by more than that: more evaluations may bring {them} lower",
                 "rose by more than that"),
    "loglik_gap": ("moved closer to the truth's level or away from it by less than the noise band's width ({w}): "
                   "flattened: the extra evaluations did not bring {them} closer to it", "moved closer to the truth's "
                   "level by more than that: more evaluations may bring {them} closer", "moved away from the truth's "
                   "level by more than that")}


def trend_text(dist: pd.DataFrame, band: tuple, label, metric: str = "logp_w1") -> str:
    """Which curves have flattened and which still fall, read off the runs dist (columns method,
    budget, metric, d: the distance to a perfect sampler, _distance)
    over the last doubling of the budget (from the largest budget at most half the largest, else
    the one before it, to the largest): a change of d no larger than the noise band's width (band:
    mean, low, high) is flat; for the signed gap a change is said as a move toward or away from the
    truth's level (band[0], _distance), and a curve that crosses it to end outside the band (band_side)
    is named with its two values.
    label(method): its name."""
    budgets = sorted(dist["budget"].unique())
    top = budgets[-1]
    if len(budgets) < 2:
        return "With one budget the page cannot tell which curves still fall: add a second budget to see it."
    b0 = last_doubling(budgets)
    width = abs(float(band[2]) - float(band[1]))
    signed = metric == "loglik_gap"
    groups = {"flat": [], "falling": [], "rising": []}
    crossed = []
    for m in dict.fromkeys(dist["method"]):
        run = dist[dist["method"] == m].set_index("budget")
        if b0 in run.index and top in run.index:
            v0, v1 = float(run.at[b0, metric]), float(run.at[top, metric])
            c = float(band[0])
            if signed and (v0 - c) * (v1 - c) < 0 and band_side(v1, band, metric) != "inside":
                crossed.append(f"*{label(m)}* moved past the truth's level to {band_side(v1, band, metric)} the band "
                               f"({value_text(v0)} → {value_text(v1)})")
                continue
            change = float(run.at[top, "d"]) - float(run.at[b0, "d"])
            groups["flat" if abs(change) <= width else "falling" if change < 0 else "rising"].append(f"*{label(m)}*")
    flat, falling, rising = _TREND_WORDS[metric if signed else "distance"]
    said = []
    if groups["flat"]:
        said.append(f"{', '.join(groups['flat'])} "
                    + flat.format(w=value_text(width), them="it" if len(groups["flat"]) == 1 else "them"))
    if groups["falling"]:
        said.append(f"{', '.join(groups['falling'])} "
                    + falling.format(them="it" if len(groups["falling"]) == 1 else "them"))
    if groups["rising"]:
        said.append(f"{', '.join(groups['rising'])} {rising}")
    said += crossed
    return f"From {int(b0)} to {int(top)} evaluations, " + "; ".join(said) + "." if said else ""


def order_text(df: pd.DataFrame, metric: str, label, band: tuple, method: str = "ode") -> str:
    """Where the second-order PF ODE (Heun) ranks among the samplers run, at the smallest and the
    largest budget, with its value of the measure (named by sweep.METRIC_LABELS, signed as the table
    shows it), read off the runs df (columns method, budget, nfe, metric), ranked by the values as
    the table prints them (printed_distance) against the noise band (band: mean, low, high): runs
    printed alike share a rank and are named as its ties; each rank names the evaluations that run
    took (its nfe), with the budget where that differs; "" when it was not run."""
    if method not in set(df["method"]):
        return ""
    ranks, values = [], []
    budgets = sorted(df.loc[df["method"] == method, "budget"].unique())
    for b in dict.fromkeys((budgets[0], budgets[-1])):
        at = df[df["budget"] == b]
        run = at[at["method"] == method].iloc[0]
        took = int(run["nfe"])
        rank, ties, near = _rank_words(at, method, metric, band, label)
        notes = (([f"budget {int(b)}"] if took != int(b) else []) + ([f"tied as printed with {ties}"] if ties else [])
                 + ([f"not told apart from {near} within the band's width, {value_text(band_width(band))}, of "
                     "it at this sample count"] if near else []))
        ranks.append(f"{rank} at {took} evaluations" + (f" ({'; '.join(notes)})" if notes else ""))
        values.append(value_text(run[metric]))
    return (f" Here {label(method)} ranks " + " and ".join(ranks) + ", where 1 is the best, with "
            f"{sweep.METRIC_LABELS[metric]} " + " and ".join(values) + ".")


def _rank_words(at: pd.DataFrame, method: str, metric: str, band: tuple, label) -> tuple[str, str, str]:
    """`method`'s rank among the runs `at` (one budget) by printed_distance, "3 of 8", where every other
    run lies farther than the noise band's width from it (told_apart); else the ranks it shares with the
    runs not told apart from it, "1–7 of 8"; the names of the runs printed alike ("" for none); and how
    many others, beyond those, are not told apart, "6 other runs" or "1 more run" ("" for none)."""
    d = {m: printed_distance(v, metric, band) for m, v in zip(at["method"], at[metric])}
    value = dict(zip(at["method"], at[metric]))
    near = [m for m in d if m != method and not told_apart(value[m], value[method], metric, band)]
    rank = 1 + sum(d[m] < d[method] and m not in near for m in d)
    ties = [label(m) for m, v in d.items() if v == d[method] and m != method]
    shared = f"{rank}–{rank + len(near)} of {len(d)}" if near else f"{rank} of {len(d)}"
    extra = len(near) - len(ties)
    more = f"{extra} {'more' if ties else 'other'} run{'s' if extra > 1 else ''}" if extra else ""
    return shared, _and(ties) if ties else "", more


def loop_grid_text(gmm, lam: float) -> str:
    """Where the tutorial's loop, uniform in t, puts its steps at this λ (the learned model's own λ
    with the learned score): the Exact-score reversal page's sentence (reversal.uniform_grid_note,
    the share of t before pₜ splits the closest modes), without its pointer to that page's red line."""
    return reversal.uniform_grid_note(gmm, dc.VESDE(lam), marked=False, width=False)


def run_ends(df: pd.DataFrame, grid: str, t_eps: float) -> pd.Series:
    """The last time each run (a row of df: method, budget, steps) steps to before its final
    denoising step: the tutorial's loop stops at t = 1/steps on its own grid, every other sampler at
    its end time ε (the budget's dc.recommended one with the grid "recommended", else t_eps)."""
    return pd.Series([1 / int(k) if m == "tutorial" else
                      float(dc.recommended(m, int(b))["t_eps"]) if grid == "recommended" else float(t_eps)
                      for m, b, k in zip(df["method"], df["budget"], df["steps"])], index=df.index)


def width_text(gmm, lam: float, df: pd.DataFrame, grid: str, t_eps: float) -> str:
    """Where the narrowest mode's own width shows (reversal.width_time: t below t_w) against where
    the runs of df stop (run_ends): the share of a uniform grid's steps below t_w, that grid ending
    where the earliest run here stops (reversal.width_note); where every run stops at or above t_w,
    that no run's steps reach it, σ at the earliest end, and what resolves it: the final denoising
    step of the samplers that take one (the tutorial's loop takes none). "" where the noise is below
    the mode's std at every t."""
    sde = dc.VESDE(lam)
    width = reversal.width_time(gmm, sde)
    if width is None or not len(df):
        return ""
    ends = run_ends(df, grid, t_eps)
    first = float(ends.min())
    s, t_w = width
    times = _fine(t_w, first)          # every time below in one format, so t_w and the earliest end differ
    loop = df["method"] == "tutorial"
    if t_w > first:
        return reached_text(s, t_w, ends, loop, grid)
    sigma = float(sde.sigma(torch.tensor(first, dtype=torch.float64)))
    stops = []
    if (~loop).any():
        eps = sorted(set(ends[~loop]))
        stops.append("the samplers at t = ε = " + (times(eps[0]) if len(eps) == 1 else
                                                   f"{times(eps[0])} to {times(eps[-1])}"))
    if loop.any():
        stops.append(f"the tutorial's loop at t = 1/steps ≥ {times(ends[loop].min())}")
    noise = _fine(sigma, s)
    resolve = ("the final denoising step, from there to σ = 0, is what must resolve it"
               + (" (the tutorial's loop takes none)" if loop.any() else "") if (~loop).any() else
               "the loop takes no denoising step, so its samples keep that noise")
    return (f" The narrowest mode's own width (std {noise(s)}) shows only once the noise is below it, for t below "
            f"{times(t_w)}, and no run's steps reach it: {_and(stops)}, where σ is still at least {noise(sigma)}, "
            f"{'above' if noise(sigma) != noise(s) else 'not below'} the mode's std; {resolve}.")


def reached_text(s: float, t_w: float, ends: pd.Series, loop: pd.Series, grid: str) -> str:
    """width_text where some run steps below t_w: each kind of run's own grid and where it ends
    (ends: run_ends, printed as reversal.end_text; loop: which runs are the tutorial's loop), with the share of its steps below t_w
    (reversal.uniform_share) where that grid is uniform in t: the samplers' grid with the grid "uniform"
    (from t = 1 to ε), the tutorial's loop always (from t = 1 to t = 1/steps, its most steps here)."""
    def share(end: float) -> str:
        return f"puts {reversal.uniform_share(t_w, end)} of its steps there" if t_w > end else "takes no step there"
    parts = []
    if (~loop).any():
        eps = sorted(set(ends[~loop]))
        at = " to ".join(dict.fromkeys(reversal.end_text(e) for e in (eps[0], eps[-1])))
        parts.append(f"the samplers' uniform grid from t = 1 to ε = {at} {share(eps[0])}" if grid == "uniform" else
                     f"the samplers, each on its own best grid, stop at t = ε = {at}" if grid == "recommended" else
                     f"the samplers' grid, {vocabulary.GRID_LABELS[grid]}, stops at t = ε = {at}")
    if loop.any():
        end = float(ends[loop].min())
        most = " at its most steps here" if ends[loop].nunique() > 1 else ""
        parts.append(f"the tutorial's loop, uniform in t, which{most} stops at t = 1/steps = {reversal.end_text(end)}, "
                     + share(end))
    return f"{reversal.width_head(s, t_w)}: {'; '.join(parts)}."


def _fine(a: float, b: float):
    """A printer for small positive numbers: two significant digits without an exponent (0.0031),
    or four where a and b would print alike (0.00009997 against 0.0001)."""
    digits = 2 if _sig(a, 2) != _sig(b, 2) else 4
    return lambda v: _sig(v, digits)


def _sig(v: float, digits: int) -> str:
    """v to `digits` significant digits, trailing zeros dropped, never an exponent."""
    return vocabulary.positional(f"{float(v):.{digits}g}", digits)


PRIOR_GAP = 1.2      # p₁ wider than the prior by this factor along its widest axis: a gap worth naming


def injects(method: str, budget: int, sde, grid: str) -> bool:
    """Whether a run injects noise (dc.injects_noise) at its settings: dc.recommended(method, budget)
    with the grid "recommended", else the defaults."""
    return dc.injects_noise(method, sde, **(dc.recommended(method, int(budget)) if grid == "recommended" else {}))


def best_by_kind(at: pd.DataFrame, sde, grid: str, metric: str | None = None, band: tuple | None = None) -> tuple:
    """For the runs at one budget (at: rows with method, budget and d = _distance): the noisy run
    closest to a perfect sampler's (injects), the noiseless one closest to it (None for none of a kind),
    and {method: injects noise}. With the measure and its band, each row also carries "tied": the
    methods of its kind tied with it at the best value as printed (printed_best)."""
    b = int(at["budget"].iloc[0])
    noisy = {m: injects(m, b, sde, grid) for m in at["method"]}
    kind = at["method"].map(noisy)
    return _best_of(at[kind], metric, band), _best_of(at[~kind], metric, band), noisy


def _best_of(runs: pd.DataFrame, metric: str | None, band: tuple | None):
    """The row of runs with the smallest d (None for no runs), with "tied" (printed_best's methods)
    where metric and band are given."""
    if not len(runs):
        return None
    row = runs.loc[runs["d"].idxmin()]
    if metric is None:
        return row
    return pd.concat([row, pd.Series({"tied": tuple(printed_best(runs, metric, band)["method"])})]).rename(row.name)


def tied_names(runs: pd.DataFrame, metric: str, band: tuple, label) -> list[str]:
    """The names (label) of the runs (rows with method and metric, e.g. one budget's runs of one
    kind) tied at the best value as the table prints it (printed_best): one name, or several that a
    sentence must name together rather than call one of them the best."""
    return [label(m) for m in printed_best(runs, metric, band)["method"]]


def reference_run(at: pd.DataFrame, sde, grid: str, metric: str, band: tuple):
    """For the runs at one budget (rows with method, budget and d = _distance): the noisy run (injects)
    closest to a perfect sampler's, with its "tied" (_best_of), as the measure vouches for it: a
    distance's run below the noise band the chart draws (band_side) scores better than true samples,
    which the measure cannot vouch for, so it counts at the band's bottom edge (d = _distance(low),
    "edge": low), the nearest the measure vouches for; the signed gap's runs below the band lie far
    from the truth's level and count as they are (_distance). None for no noisy run. A run more than
    the band's width nearer than one just above the band (prior_kept) lies inside it or at that edge."""
    run = best_by_kind(at, sde, grid, metric, band)[0]
    if run is None or metric == "loglik_gap" or band_side(run[metric], band, metric) != "below":
        return run
    return pd.concat([run.drop("d"), pd.Series({"d": _distance(band[1], metric, band), "edge": band[1]})]).rename(run.name)


def reference_words(ref: pd.Series, metric: str) -> str:
    """A reference_run's value in words, with the edge it is counted at where it lies below the band."""
    if "edge" not in ref or pd.isna(ref["edge"]):
        return value_text(ref[metric])
    return f"{value_text(ref[metric])}, below the band, counted at its edge {value_text(ref['edge'])}"


def gap_stays(quiet, noisy, band: tuple) -> bool:
    """Whether a noiseless run (quiet, a row with d = _distance) lies farther from a perfect sampler than
    the noisy run `noisy` by more than the noise band's width: d_quiet − d_noisy > high − low, more than
    one shared draw of the starting noise moves them apart: the prior's gap, still there."""
    return float(quiet["d"]) - float(noisy["d"]) > band_width(band)


def prior_text(df: pd.DataFrame, band: tuple, metric: str, gmm, lam: float, grid: str, label,
               bands: dict | None = None) -> str:
    """Which runs pay for the prior's mismatch with p₁, read off the runs df (columns method, budget,
    metric): the prior N(0, σ₁² I) against p₁'s spread along its widest axis (the square root of
    the largest eigenvalue of p₁'s covariance); a run that injects no noise (dc.injects_noise at
    its settings) carries that gap to the end. Named are the noiseless runs above the noise band the
    chart draws (band_side; band: mean, low, high; under it is no price paid) that lie farther from a
    perfect sampler than the best noisy run not below the band at the same budget (reference_run) by more
    than the band's width (gap_stays), with both values; "" when the gap is
    small or no run pays it. label(method): its name; bands: every measure's band, to check a gap said
    washed out by this measure against the others of the same runs (unwashed_elsewhere)."""
    sde = dc.VESDE(lam)
    s1 = float(sde.prior_std())
    spread = float(torch.linalg.eigvalsh(gmm.diffuse(sde, 1.0).moments()[1]).max()) ** 0.5
    if spread < PRIOR_GAP * s1:
        return ""
    dist = df.assign(d=[_distance(v, metric, band) for v in df[metric]])
    named: dict[str, list] = {}
    best_noisy: dict[int, pd.Series] = {}          # budget: the noisy run closest to a perfect sampler's
    best_quiet: dict[int, pd.Series] = {}          # budget: the noiseless run closest to it
    refs: dict[int, pd.Series] = {}                # budget: the noisy run a noiseless one is measured against
    for b in sorted(dist["budget"].unique()):
        at = dist[dist["budget"] == b]
        noisy_run, quiet_run, noisy = best_by_kind(at, sde, grid, metric, band)
        ref = reference_run(at, sde, grid, metric, band)
        if ref is not None:
            refs[int(b)] = ref
        if noisy_run is not None:
            best_noisy[int(b)] = noisy_run
        if quiet_run is not None:
            best_quiet[int(b)] = quiet_run
        for _, row in at.iterrows():
            if (ref is not None and not noisy[row["method"]] and band_side(row[metric], band, metric) == "above"
                    and gap_stays(row, ref, band)):
                named.setdefault(row["method"], []).append((int(b), row[metric], ref))
    if not named:
        return ""

    def runs(m):
        b, v, r = named[m][-1]
        return (f"*{label(m)}* at {_and([str(b) for b, *_ in named[m]])} evaluations (at {b}, {value_text(v)} "
                f"against the noisy run's {reference_words(r, metric)})")
    edge_note = (f" (one below {band_words(band)}, which the measure cannot vouch for, counted at its bottom edge)"
                 if any("edge" in r for m in named for *_, r in named[m]) else "")
    why = "".join(" " + noise_text(m, sorted(int(b) for b in dist.loc[dist["method"] == m, "budget"].unique()),
                                   sde, grid, label, dist[dist["method"] == m].set_index("budget"), band, metric, bands)
                  for m in named if dc.SAMPLERS[m].stochastic)
    return (f"**The prior's gap.** At λ = {lam:g} sampling starts from N(0, σ₁² I) with σ₁ = {s1:.2f}, while "
            f"p₁ spreads {spread / s1:.1f}× wider along its widest axis (std {spread:.2f}): a walk that injects "
            "no noise carries that gap to the end, where a noisy one can wash it out. Here the noiseless runs "
            f"end farther from a perfect sampler than the best noisy run at the same budget{edge_note} by more than "
            f"the band's width, "
            f"{value_text(band_width(band))}: "
            f"{'; '.join(runs(m) for m in named)}. {washed_text(dist, band, metric, best_noisy, sorted(best_noisy), label, best_quiet, bands)}"
            f"{left_band_text(best_noisy, band, metric)}{top_gap_text(refs, best_quiet, band, metric, label)}{why}")


_and = vocabulary.and_list


def _by_side(runs, band: tuple) -> dict:
    """Runs (budget, value, name: "" for none) grouped by where each value lies against the noise band
    the chart draws (band_side; band: mean, low, high): {"inside": [...], "above": [...], "edge": [...],
    "below": [...]}, "above" only beyond the band's width (beyond_width: v > high + (high − low)), "edge"
    just above it (just_above: high < v <= high + (high − low)), where one shared draw of the starting
    noise can put a run."""
    groups = {"inside": [], "above": [], "edge": [], "below": []}
    for b, v, who in runs:
        side = band_side(v, band, "")
        groups["edge" if side == "above" and just_above(v, band) else side].append((b, v, who))
    return groups


def _listed(runs) -> str:
    """Runs (budget, value, name) in words: "tutorial's loop, 0.0861 at 5; reverse SDE, 0.0628 at 10"."""
    return "; ".join(f"{who + ', ' if who else ''}{value_text(v)} at {b}" for b, v, who in runs)


def washed_text(dist: pd.DataFrame, band: tuple, metric: str, best_noisy: dict, budgets, label,
                best_quiet: dict | None = None, bands: dict | None = None) -> str:
    """Whether the noisy runs wash the prior's gap out here, at each of these budgets (prior_text: every
    budget with a noisy run, each said in exactly one group): they do only where the best noisy run (best_noisy[b], a row of dist) lies inside the noise band the
    chart draws (band_side; band: mean, low, high); above it by more than its width (beyond_width) the
    numbers show they do not, with that run's value, and beside it, budget by budget, whether the best
    noiseless run (best_quiet[b]) lands farther still (farther_words); just above it (just_above) neither
    is shown; below it the measure cannot vouch for the run (_by_side). Washed out is said by this
    measure's name, with the other measures of the same runs that put them above their own band by more
    than its width (unwashed_elsewhere; bands: every measure's band)."""
    g = _by_side([(b, best_noisy[b][metric], run_names(best_noisy[b], label)) for b in budgets], band)
    if not g["above"] and not g["edge"] and not g["below"]:
        return (f"By {_metric_name(metric)} the noisy runs do wash it out here: at {_and([b for b, _, _ in g['inside']])} "
                f"evaluations the best of them lies inside {band_words(band)}"
                + unwashed_elsewhere(pd.DataFrame([best_noisy[b] for b in budgets]), metric, bands, label) + ".")
    said = []
    if g["above"]:
        said.append(f"The numbers show the noisy runs do not wash it out here at {_and([b for b, _, _ in g['above']])} "
                    f"evaluations: the best of them stays above {band_words(band)} by more than its width "
                    f"({value_text(band_width(band))}) ({_listed(g['above'])})"
                    + farther_words([b for b, _, _ in g["above"]], best_noisy, best_quiet or {}, metric, label) + ".")
    if g["edge"]:
        said.append(f"At {_and([b for b, _, _ in g['edge']])} evaluations the best of them lies just above "
                    f"{'the band' if said else band_words(band)}, by less than its width ({value_text(band_width(band))}) "
                    f"({_listed(g['edge'])}), where one shared draw of the starting noise can put it: neither washed "
                    "out nor shown not to be.")
    if g["inside"]:
        said.append(f"At {_and([b for b, _, _ in g['inside']])} evaluations they do: the best of them lies inside "
                    f"{'the band' if said else band_words(band)} ({_listed(g['inside'])}) by {_metric_name(metric)}"
                    + unwashed_elsewhere(pd.DataFrame([best_noisy[b] for b, _, _ in g["inside"]]), metric, bands, label)
                    + ".")
    if g["below"]:
        said.append(f"At {_and([b for b, _, _ in g['below']])} evaluations the best noisy run lies below "
                    f"{'the band' if said else band_words(band)} ({_listed(g['below'])}), where the measure cannot "
                    "vouch for it.")
    return " ".join(said)


def left_band_text(best_noisy: dict, band: tuple, metric: str) -> str:
    """Where the best noisy run (best_noisy[b], a row of the runs with d = _distance) reaches the noise
    band the chart draws (band; mean, low, high) and every larger budget puts it above the band again,
    read as _by_side reads it: after which budget it leaves the band, the budgets where it lies just above
    it (by less than its width, just_above) before it stays above it by more than its width
    (beyond_width) to the largest budget, and whether more evaluations take it further above (worse_text
    on those budgets' best noisy runs), else its values there; "" where the last budget inside the band
    is the largest, none is inside, or the runs after it do not end beyond the band's width."""
    side = {b: group for group, runs in _by_side([(b, best_noisy[b][metric], "") for b in best_noisy], band).items()
            for b, _, _ in runs}
    inside = sorted(b for b in side if side[b] == "inside")
    after = [b for b in sorted(side) if inside and b > inside[-1]]
    far = [b for b in after if side[b] == "above"]
    edge = [b for b in after if b not in far]
    if not far or any(side[b] != "edge" for b in edge) or max(edge, default=0) > far[0]:
        return ""
    worse = worse_text(pd.DataFrame([best_noisy[b] for b in after]), band, metric)
    listed = _listed([(b, best_noisy[b][metric], "") for b in dict.fromkeys((after[0], after[-1]))])
    near = (f"at {_and(edge)} the best of them lies just above it, by less than its width, and " if edge else "")
    return (f" After {inside[-1]} evaluations, the last budget where the best noisy run lies inside the band, the "
            f"noisy runs leave it again: {near}from {far[0]} on {'it' if edge else 'the best of them'} stays above it "
            f"by more than its width ({value_text(band_width(band))}), and "
            + (worse if worse else f"more evaluations do not bring it back ({listed})."))


def top_gap_text(best_noisy: dict, best_quiet: dict, band: tuple, metric: str, label) -> str:
    """Whether the prior's gap is still there at the largest budget: the best noiseless run
    (best_quiet[top]) against the best noisy one (best_noisy[top]), rows with d = _distance, both
    named with their values and where each lies against the noise band the chart draws (band_side;
    band: mean, low, high); the gap
    persists where d_quiet − d_noisy exceeds the band's width (high − low), it has closed where the
    two differ by at most that width. best_noisy holds reference_run's rows: a distance's noisy run
    below the band counts at its bottom edge (reference_words); "" where the largest budget lacks either
    kind of run."""
    top = max(best_noisy, default=None)
    if top is None or top not in best_quiet:
        return ""
    q, n = best_quiet[top], best_noisy[top]
    gap = float(q["d"]) - float(n["d"])
    sq, sn = band_side(q[metric], band, metric), band_side(n[metric], band, metric)
    runs = (f"{_best_words(q, 'noiseless', label)} {value_text(q[metric])}, {sq} {band_words(band)}, "
            f"{_best_words(n, 'noisy', label, short=True)} {reference_words(n, metric)}"
            f"{'' if 'edge' in n else f', {sn} it' + (' too' if sn == sq else '')}")
    if gap_stays(q, n, band):
        return f" The gap does not close with more steps: at {top} evaluations, the largest budget, {runs}."
    if gap < -band_width(band):
        return f" At {top} evaluations, the largest budget, the noiseless runs land nearer: {runs}."
    return (f" At {top} evaluations, the largest budget, the gap has closed: {runs}, within the band's width "
            f"({value_text(band_width(band))}) of each other.")


def run_names(run: pd.Series, label) -> str:
    """The best run of a kind (a best_by_kind row) by name, with every run tied with it as printed
    (its "tied"): "UniPC, noisy start and UniPC, shifted D"; its own name where none ties."""
    return _and([label(m) for m in run.get("tied", (run["method"],))])


def _best_words(run: pd.Series, kind: str, label, short: bool = False) -> str:
    """The best run of a kind (a best_by_kind row) named before its value: "the best noiseless run, A,
    is at", or where others of its kind print the same value (its "tied"), "the best noiseless runs,
    A, B and C, tie at"; short: "the best noisy one, A, at" (the second of a pair)."""
    tied = [label(m) for m in run.get("tied", (run["method"],))]
    if len(tied) > 1:
        return f"the best {kind} runs, {_and(tied)}, tie at"
    return f"the best {kind} one, {tied[0]}, at" if short else f"the best {kind} run, {tied[0]}, is at"


def farther_words(budgets, best_noisy: dict, best_quiet: dict, metric: str, label) -> str:
    """The end of washed_text's "do not wash it out" sentence: at which of these budgets the best
    noiseless run (best_quiet[b], a row with its distance d = _distance) lands farther from a perfect
    sampler than the best noisy run (best_noisy[b]), "though … the noiseless runs land farther still",
    and at which the best noiseless run lands nearer (or as near), named with its value; "" for neither."""
    far = [b for b in budgets if b in best_quiet and float(best_quiet[b]["d"]) > float(best_noisy[b]["d"])]
    near = [b for b in budgets if b in best_quiet and b not in far]
    said = f", though at {_and(far)} the noiseless runs land farther still" if far else ""
    if near:
        runs = [f"{run_names(best_quiet[b], label)} ({value_text(best_quiet[b][metric])})" for b in near]
        said += (f"; at {_and(near)} the best noiseless run{'s' if len(near) > 1 else ''}, "
                 f"{_and(runs)}, land{'' if len(near) > 1 else 's'} nearer than they do")
    return said


def noise_text(method: str, budgets, sde, grid: str, label, runs=None, band: tuple | None = None, metric: str = "",
               bands: dict | None = None) -> str:
    """Where a noisy-start sampler adds noise, budget by budget (its dc.recommended setting with the
    grid "recommended", else the default): at the budgets whose setting adds noise only while σ is
    above a level σ₁ never reaches it runs as an ODE, at the others it adds noise from the start, which
    can wash the prior's gap out; with its runs (runs: rows by budget, holding every measure), the
    measure in use and the noise band the chart draws (band: mean, low, high), whether it does there:
    only where a run lies inside the band, checked against the other measures' bands (bands)."""
    s1 = float(sde.prior_std())
    quiet: dict[float, list] = {}
    noisy: dict[float, list] = {}
    for b in budgets:
        settings = dc.recommended(method, b) if grid == "recommended" else {}
        r = float(settings.get("r_noise", dc.sampling.OPTIONS["r_noise"].default))
        (noisy if dc.injects_noise(method, sde, **settings) else quiet).setdefault(r, []).append(b)
    setting = "its setting" if grid == "recommended" else "the default setting"
    said = []
    if quiet:
        levels = (f"{next(iter(quiet)):g}" if len(quiet) == 1 else " or ".join(
            f"{r:g} (at {_and(bs)})" for r, bs in sorted(quiet.items(), key=lambda kv: kv[1][0])))
        said.append(f"at {_and(sorted(b for bs in quiet.values() for b in bs))} evaluations {setting} adds noise "
                    f"only while σ is above {levels}, which σ₁ = {s1:.2f} never reaches, so it runs as an ODE there")
    if noisy:
        ends = [f"down to σ = {r:g}" for r in sorted(noisy) if r > 0]
        loud = sorted(b for bs in noisy.values() for b in bs)
        said.append(f"at {_and(loud)} it adds noise from the start" + (f" ({', '.join(ends)})" if ends else "")
                    + _washed_words(loud, runs, band, metric, bands))
    return f"*{label(method)}*: " + "; ".join(said) + "."


def _washed_words(budgets, runs, band, metric: str = "", bands: dict | None = None) -> str:
    """The end of noise_text's noisy clause: that noise can wash the gap out, and whether it does at
    these budgets, read off the runs' values (runs[metric][budget]) against the band (_by_side): only inside
    it is the gap washed out, said by the measure's name and checked against the other measures of the
    same runs (unwashed_elsewhere); above it by more than its width the numbers show it is not; just
    above it neither is shown; below it the measure cannot vouch."""
    if runs is None or band is None:
        return ", which can wash the gap out there"
    values = runs[metric]
    g = _by_side([(b, values[b], "") for b in budgets], band)
    inside = runs.loc[[b for b, _, _ in g["inside"]]].reset_index()
    check = unwashed_elsewhere(inside, metric, bands, lambda m: "")
    if not g["above"] and not g["edge"] and not g["below"]:
        return (f", which washes the gap out there by {_metric_name(metric)}: its runs lie inside "
                f"{band_words(band)}{check}")
    said = ", which can wash the gap out"
    if g["above"]:
        said += (f"; the numbers show it does not here: its runs stay above {band_words(band)} by more than its "
                 f"width ({value_text(band_width(band))}) ({_listed(g['above'])})")
    if g["edge"]:
        said += (f"; at {_and([b for b, _, _ in g['edge']])} its runs lie just above "
                 f"{'the band' if g['above'] else band_words(band)}, by less than its width "
                 f"({value_text(band_width(band))}) ({_listed(g['edge'])}): neither washed out nor shown not to be")
    if g["inside"]:
        said += (f"; by {_metric_name(metric)} it does at {_and([b for b, _, _ in g['inside']])}, where its runs lie "
                 f"inside the band{check}")
    if g["below"]:
        said += (f"; at {_and([b for b, _, _ in g['below']])} its runs lie below the band ({_listed(g['below'])}), "
                 "where the measure cannot vouch for them")
    return said


def unwashed_elsewhere(runs: pd.DataFrame, metric: str, bands: dict | None, label) -> str:
    """For noisy runs the measure in use puts inside its band, where the prior's gap reads as washed out
    (runs: rows with budget, method and every measure of sweep.METRICS): each other measure that puts
    some of them above its own band by more than its width (beyond_width; bands[m]: mean, low, high),
    with their values (_listed; label(method): "" leaves the name out), in words starting "; but in the
    same runs", ending with the gap that still shows by those measures; "" where none does or no bands."""
    said, seers = [], []
    for m in sweep.METRICS:
        if m == metric or not bands or m not in bands or m not in runs:
            continue
        far = [(int(r["budget"]), r[m], label(r["method"])) for _, r in runs.iterrows() if beyond_width(r[m], bands[m])]
        if far:
            seers.append(_metric_name(m))
            who = "them" if len(far) == len(runs) == 1 else "all of them" if len(far) == len(runs) else f"{len(far)} of them"
            said.append(f"{_metric_name(m)} puts {who} above {band_words(bands[m])} by more than its width "
                        f"({value_text(band_width(bands[m]))}) ({_listed(far)})")
    if not said:
        return ""
    where = " in where the samples lie" if seers == [_metric_name("sliced_w2")] else ""
    return f"; but in the same runs {'; and '.join(said)}: by {' and '.join(seers)} the prior's gap still shows{where}"
