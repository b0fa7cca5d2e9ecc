"""Tests of the console pages: AppTest renders and end-to-end runs in headless Chromium."""
