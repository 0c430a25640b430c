"""The learners of `bench/load_learners.py`, for Locust (FastHttpUser).

Each simulated learner is one seeded account (`learnhub seed`: seed-learner-NNNNN@example.org)
with its own connection and tokens. It logs in once when it arrives, reads its dashboard,
then, after each think time (exponential, mean `LEARNHUB_BENCH_THINK` seconds), does one of:

| share | what |
|---|---|
| 55 % | a read: catalog (first page or a search), a course outline, a lesson, its progress, its dashboard |
| 25 % | completes a lesson of one of its courses (a durable progress write) |
| 10 % | a quiz step: start an attempt, save its answers, submit it (one step per turn) |
| 5 % | enrolls in another course |
| 5 % | refreshes its tokens |

Locust's statistics group requests by name; the log-in is reported on its own, since it
verifies an Argon2id hash on purpose.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

from locust import events, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = "learnhub-learner"  # noqa: S105  # the seeded learners' password
THINK = float(os.environ.get("LEARNHUB_BENCH_THINK", "5"))
LEARNERS = int(os.environ.get("LEARNHUB_BENCH_LEARNERS", "10000"))
FIRST = int(os.environ.get("LEARNHUB_BENCH_FIRST_LEARNER", "1"))
MAX_LOGIN_TRIES = 10
SEARCH_WORDS = ("introduction", "applied", "advanced", "python", "biology", "music", "english")

_numbers = itertools.count(FIRST)
_numbers_lock = threading.Lock()


def _next_learner() -> int:
    with _numbers_lock:
        number = next(_numbers)
    return (number - 1) % LEARNERS + 1


class Learner(FastHttpUser):
    """One seeded learner, signed in once, studying its own courses."""

    def wait_time(self) -> float:
        return random.expovariate(1 / THINK)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.email = f"seed-learner-{_next_learner():05d}@example.org"
        self.tokens: dict[str, str] = {}
        self.courses: list[str] = []
        self.outlines: dict[str, list[dict[str, Any]]] = {}
        self.attempt: tuple[str, dict[str, Any], str] | None = None  # (url, body, next step)
        self.log_in()
        self.read_dashboard()

    # ------------------------------------------------------------ helpers

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens.get('access_token', '')}"}

    def log_in(self) -> None:
        """Log in as a browser would: a refusal with `Retry-After` (the hashing queue is
        full) is tried again after that many seconds, up to ten times; the refusals are
        counted apart ("log in refused"), the log-in that passes as "log in"."""
        for _ in range(MAX_LOGIN_TRIES):
            with self.client.post(
                "/api/v1/auth/login",
                json={"email": self.email, "password": PASSWORD},
                name="log in",
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    self.tokens = response.json()
                    return
                retry_after = response.headers.get("Retry-After")
                if response.status_code not in (429, 503) or retry_after is None:
                    response.failure(f"log-in refused: {response.status_code}")
                    return
                response.request_meta["name"] = "log in refused"
                response.success()
            time.sleep(float(retry_after) * (1 + self.rng.random()))
        self.environment.events.request.fire(
            request_type="POST",
            name="log in",
            response_time=0,
            response_length=0,
            exception=RuntimeError(f"still refused after {MAX_LOGIN_TRIES} tries"),
        )

    def read_dashboard(self) -> None:
        with self.client.get(
            "/api/v1/me/courses", headers=self.auth, name="dashboard", catch_response=True
        ) as response:
            if response.status_code == 200:
                self.courses = [
                    entry["course"]["id"] for entry in response.json() if entry["role"] == "learner"
                ]

    def outline(self, course_id: str) -> list[dict[str, Any]]:
        if course_id not in self.outlines:
            response = self.client.get(
                f"/api/v1/courses/{course_id}", headers=self.auth, name="course outline"
            )
            if response.status_code != 200:
                return []
            self.outlines[course_id] = [
                item for section in response.json()["sections"] for item in section["items"]
            ]
        return self.outlines[course_id]

    def some_course(self) -> str | None:
        return self.rng.choice(self.courses) if self.courses else None

    def some_item(self, kind: str) -> tuple[str, str] | None:
        course_id = self.some_course()
        if course_id is None:
            return None
        items = [item["id"] for item in self.outline(course_id) if item["kind"] == kind]
        return (course_id, self.rng.choice(items)) if items else None

    # ------------------------------------------------------------ the mix

    @task(55)
    def read(self) -> None:
        choice = self.rng.random()
        if choice < 0.2:
            params = {"q": self.rng.choice(SEARCH_WORDS)} if self.rng.random() < 0.5 else {}
            self.client.get("/api/v1/courses", params=params, headers=self.auth, name="catalog")
        elif choice < 0.4:
            course_id = self.some_course()
            if course_id:
                self.client.get(
                    f"/api/v1/courses/{course_id}", headers=self.auth, name="course outline"
                )
        elif choice < 0.6:
            found = self.some_item("lesson")
            if found:
                course_id, lesson_id = found
                self.client.get(
                    f"/api/v1/courses/{course_id}/lessons/{lesson_id}",
                    headers=self.auth,
                    name="lesson",
                )
        elif choice < 0.8:
            course_id = self.some_course()
            if course_id:
                self.client.get(
                    f"/api/v1/courses/{course_id}/progress/me", headers=self.auth, name="progress"
                )
        else:
            self.read_dashboard()

    @task(25)
    def complete_a_lesson(self) -> None:
        found = self.some_item("lesson")
        if found:
            course_id, lesson_id = found
            self.client.post(
                f"/api/v1/courses/{course_id}/items/{lesson_id}/complete",
                headers=self.auth,
                name="complete lesson",
            )

    @task(10)
    def quiz_step(self) -> None:
        if self.attempt is None:
            found = self.some_item("quiz")
            if not found:
                return
            course_id, quiz_id = found
            url = f"/api/v1/courses/{course_id}/quizzes/{quiz_id}/attempts"
            with self.client.post(
                url, headers=self.auth, name="quiz start", catch_response=True
            ) as response:
                if response.status_code in (200, 201):
                    body = response.json()
                    self.attempt = (f"{url}/{body['id']}", body, "save")
                elif response.status_code == 409:
                    response.success()  # no attempts left: a rule, not a failure
            return
        url, body, step = self.attempt
        answers = {question["id"]: self.answer(question) for question in body["questions"]}
        if step == "save":
            self.client.put(
                f"{url}/answers", json={"answers": answers}, headers=self.auth, name="quiz save"
            )
            self.attempt = (url, body, "submit")
        else:
            with self.client.post(
                f"{url}/submit",
                json={"answers": answers},
                headers=self.auth,
                name="quiz submit",
                catch_response=True,
            ) as response:
                if response.status_code == 409:
                    response.success()  # already handed in (time ran out): a rule
            self.attempt = None

    @task(5)
    def enroll(self) -> None:
        with self.client.get(
            "/api/v1/courses",
            params={"limit": 50},
            headers=self.auth,
            name="catalog",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                return
            others = [
                course["id"]
                for course in response.json()["items"]
                if course["id"] not in self.courses and course["enrollment_policy"] == "open"
            ]
        if not others:
            return
        course_id = self.rng.choice(others)
        with self.client.post(
            f"/api/v1/courses/{course_id}/enrollments",
            headers=self.auth,
            name="enroll",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                self.courses.append(course_id)
            elif response.status_code == 409:
                response.success()  # joined already in an earlier run

    @task(5)
    def refresh(self) -> None:
        with self.client.post(
            "/api/v1/auth/refresh",
            json={"refresh_token": self.tokens.get("refresh_token", "")},
            name="refresh tokens",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.tokens = response.json()
            else:
                response.failure(f"refresh refused: {response.status_code}")

    def answer(self, question: dict[str, Any]) -> Any:
        kind = question["type"]
        options = question.get("options") or []
        if kind == "single_choice" and options:
            return self.rng.choice(options)["id"]
        if kind == "multiple_choice":
            return [option["id"] for option in options if self.rng.random() < 0.6]
        if kind == "true_false":
            return self.rng.random() < 0.5
        if kind == "numeric":
            return self.rng.randint(1, 81)
        return "an answer"


# Every request's time and outcome, for the driver to cut into the arrival and the steady
# window: Locust's own percentiles cover the whole run.
_samples: list[str] = []


@events.request.add_listener
def _sample(name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    _samples.append(
        json.dumps({"t": time.time(), "name": name, "ms": response_time, "ok": exception is None})
    )


@events.quitting.add_listener
def _write_samples(**_kwargs: Any) -> None:
    target = os.environ.get("LEARNHUB_BENCH_SAMPLES")
    if target:
        Path(target).write_text("\n".join(_samples) + "\n")
