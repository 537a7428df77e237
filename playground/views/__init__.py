"""One module per page, and what the pages share (``common``, ``training``). Not named
``pages/``: Streamlit treats a ``pages/`` folder beside the main script as an old-style
multipage app, which confuses ``AppTest`` when the app uses ``st.navigation``."""
