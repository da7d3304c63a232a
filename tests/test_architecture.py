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
