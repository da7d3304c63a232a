"""The layout's rules: diffusion_core is the math only (importable with the app's libraries
blocked), views/ holds only page scripts, and no page uses Streamlit's private API."""
import ast
import subprocess
import sys
import textwrap

from conftest import PAGES, ROOT

BLOCKED = ("streamlit", "altair", "matplotlib", "seaborn")


def test_diffusion_core_imports_without_the_app_libraries():
    code = textwrap.dedent(f"""
        import importlib, pkgutil, sys
        BLOCKED = {BLOCKED!r}

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"diffusion_core must not import {{name}}")
                return None

        sys.meta_path.insert(0, Block())
        import diffusion_core
        for m in pkgutil.walk_packages(diffusion_core.__path__, "diffusion_core."):
            importlib.import_module(m.name)
        loaded = sorted(n for n in sys.modules if n.split(".")[0] in BLOCKED)
        assert not loaded, loaded
        print("ok", len([n for n in sys.modules if n.startswith("diffusion_core")]))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and out.stdout.startswith("ok"), out.stderr[-2000:]


def test_the_blocker_does_block():
    """The check above would notice: the app layer does import a blocked library."""
    code = ("import sys\nclass B:\n def find_spec(self, n, p=None, t=None):\n"
            "  if n.split('.')[0] in ('matplotlib',): raise ImportError(n)\n"
            "sys.meta_path.insert(0, B())\nimport dashboard.figures")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode != 0 and "ImportError" in out.stderr


def test_views_holds_only_page_scripts():
    names = sorted(p.name for p in (ROOT / "views").iterdir() if p.suffix == ".py")
    assert names and names == sorted(p.split("/")[1] for p in PAGES), names
    assert not (ROOT / "pages").exists()      # Streamlit would discover pages/ on its own


def test_pages_use_no_private_streamlit_api():
    for page in PAGES:
        tree = ast.parse((ROOT / page).read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mod = getattr(node, "module", None) or ""
                names = [mod] + [a.name for a in node.names]
                assert not any(n.startswith("streamlit.") and n != "streamlit" for n in names
                               if n.startswith("streamlit")), (page, names)
            if isinstance(node, ast.Attribute):
                assert not (node.attr.startswith("_") and not node.attr.startswith("__")), (page, node.attr)


def test_every_public_name_resolves():
    """Each name in diffusion_core.__all__ loads from its submodule (the names are lazy)."""
    import diffusion_core as dc
    for name in dc.__all__:
        assert getattr(dc, name) is not None, name
    for name in ("mixture_from_points", "SHAPES", "recommended", "guided_score", "fm_velocity"):
        assert name in dc.__all__


def _fragment_keys(fn: ast.FunctionDef) -> set[str]:
    """Source text of the widget keys created inside a function: state.widget(kind, KEY, ...),
    state.number_field(container, KEY, ...) and key=KEY arguments."""
    keys = set()
    for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
        name = ast.unparse(call.func)
        if name.endswith(("state.widget", "state.number_field")) and len(call.args) > 1:
            keys.add(ast.unparse(call.args[1]))
        keys.update(ast.unparse(k.value) for k in call.keywords if k.arg == "key")
    return keys - {"None"}


def _session_reads(tree, skip: ast.FunctionDef) -> set[str]:
    """Source text of the keys read as st.session_state[KEY] or st.session_state.get(KEY) outside
    the function `skip`."""
    inside = {id(n) for n in ast.walk(skip)}
    reads = set()
    for n in ast.walk(tree):
        if id(n) in inside:
            continue
        if isinstance(n, ast.Subscript) and ast.unparse(n.value).endswith("session_state"):
            reads.add(ast.unparse(n.slice))
        if (isinstance(n, ast.Call) and ast.unparse(n.func).endswith("session_state.get") and n.args):
            reads.add(ast.unparse(n.args[0]))
    return reads


def test_widgets_of_a_fragment_are_not_read_outside_it():
    """A widget inside an @st.fragment reruns only that fragment, so whatever outside it reads
    the widget's value keeps showing the previous value (the Digits film stayed at the old w
    while the grid above it moved on). Such a widget belongs outside the fragment."""
    checked = 0
    for page in PAGES:
        tree = ast.parse(open(page, encoding="utf-8").read())
        for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef)
                   and any("fragment" in ast.unparse(d) for d in n.decorator_list)):
            keys, checked = _fragment_keys(fn), checked + 1
            assert keys, f"{page}: no widget key found in the fragment {fn.name}"
            both = keys & _session_reads(tree, fn)
            assert not both, f"{page}: {fn.name} is a fragment, but {sorted(both)} are read outside it"
    assert checked >= 3          # the pages' fragments were found
