"""One module per page. Not named ``pages/``: Streamlit treats a ``pages/`` folder beside the
main script as an old-style multipage app, which confuses ``AppTest`` when the app uses
``st.navigation``."""
