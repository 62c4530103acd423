"""Screens of the editor: the main editor screen and the modal questions it asks."""
