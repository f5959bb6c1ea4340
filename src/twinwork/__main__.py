from twinwork.cli import app

app()
