"""`handover demo`: load the demo data set (idempotent) and print the demo sign-ins."""

from typing import Any

from django.core.management.base import BaseCommand

from handover.web.demo import demo_sign_ins, load_demo


class Command(BaseCommand):
    help = "Load the demo data set (running it again creates nothing) and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if load_demo():
            self.stdout.write("Loaded the demo data set.")
        else:
            self.stdout.write("The demo data set is already loaded.")
        self.stdout.write(demo_sign_ins())
