"""The Streamlit dashboard: per-language filter tuning on a run's stored statistics."""
