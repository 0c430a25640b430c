"""The demo courses: four published courses by the demo instructor, with real lessons, a
quiz and an assignment each, created through the courses API on the first start of `up`."""

from __future__ import annotations

from typing import Any

import httpx

from learnhub.runner.course_builder import (
    Api,
    AssignmentSpec,
    BuiltCourse,
    CourseSpec,
    LessonSpec,
    QuizSpec,
    SectionSpec,
    build_course,
    pass_quiz,
)
from learnhub.runner.demo import DEMO_ACCOUNTS
from learnhub.runner.platform import INTERNAL_BASE_URL

# A reserved example domain: the demo shows the video player without depending on a host.
VIDEO_BASE = "https://videos.example.com/learnhub-demo"

CHEMISTRY = CourseSpec(
    slug="introduction-to-chemistry",
    title="Introduction to Chemistry",
    summary="Atoms, the periodic table and chemical reactions, from first principles.",
    description=(
        "A first course in chemistry for curious adults and students starting out.\n\n"
        "You will learn what matter is made of, how the periodic table is organised and "
        "how to read and balance a chemical equation. No prior knowledge is needed beyond "
        "school arithmetic."
    ),
    category="Science",
    tags=("chemistry", "science", "atoms"),
    level="beginner",
    estimated_hours=6,
    sections=(
        SectionSpec(
            "Matter and atoms",
            lessons=(
                LessonSpec(
                    "What is matter?",
                    """# What is matter?

Everything that has **mass** and takes up **space** is matter: the air you breathe, the
water in a glass, the chair you sit on. Chemistry is the study of matter and of the
changes it goes through.

Matter is usually found in one of three everyday **states**:

| State  | Shape          | Volume         | Example       |
|--------|----------------|----------------|---------------|
| Solid  | fixed          | fixed          | ice, iron     |
| Liquid | takes its container's | fixed   | water, oil    |
| Gas    | fills its container   | fills its container | steam, air |

A substance can move between states when energy is added or removed: ice melts to water,
water boils to steam. These are **physical changes**, because the substance is still the
same (H₂O). A **chemical change** makes a new substance, as when iron rusts or wood burns.

## Pure substances and mixtures

- An **element** contains one kind of atom (oxygen, gold, carbon).
- A **compound** contains two or more elements chemically bonded in fixed ratios
  (water, table salt).
- A **mixture** combines substances without bonding them, and can often be separated
  by physical means (salt water, air, granite).
""",
                ),
                LessonSpec(
                    "Inside the atom",
                    """# Inside the atom

An atom is the smallest unit of an element that keeps its chemical identity. It has a
tiny, dense **nucleus** surrounded by a cloud of **electrons**.

| Particle | Charge | Relative mass | Where        |
|----------|--------|---------------|--------------|
| Proton   | +1     | 1             | nucleus      |
| Neutron  | 0      | 1             | nucleus      |
| Electron | -1     | 1/1836        | around it    |

The number of protons is the **atomic number** (Z): it decides which element the atom
is. Carbon always has 6 protons; an atom with 7 protons is nitrogen.

The **mass number** (A) counts protons plus neutrons. Atoms of one element with
different numbers of neutrons are **isotopes**: carbon-12 has 6 neutrons, carbon-14 has 8.

A neutral atom has as many electrons as protons. Electrons are arranged in **shells**;
those in the outermost shell (the *valence electrons*) decide how the atom bonds with
others, which is why elements in the same column of the periodic table behave alike.
""",
                ),
            ),
        ),
        SectionSpec(
            "The periodic table and reactions",
            lessons=(
                LessonSpec(
                    "Reading the periodic table",
                    """# Reading the periodic table

The periodic table lists the elements in order of atomic number. Its layout is not
arbitrary: elements in the same **group** (column) have the same number of valence
electrons and similar chemistry.

- **Group 1** — the alkali metals (lithium, sodium, potassium): soft, very reactive.
- **Group 17** — the halogens (fluorine, chlorine): reactive non-metals.
- **Group 18** — the noble gases (helium, neon, argon): almost never react.

Each **period** (row) adds a new electron shell. Moving left to right across a period,
atoms get slightly smaller and hold their electrons more tightly.

Watch the video for a guided tour, then try locating sodium (Na, Z = 11) and chlorine
(Cl, Z = 17) — the two elements in table salt.
""",
                    video_url=f"{VIDEO_BASE}/periodic-table-tour.mp4",
                    transcript=(
                        "Welcome to this tour of the periodic table. The table is read like a "
                        "book: left to right, top to bottom, in order of atomic number. On the "
                        "far left you find the alkali metals, which react violently with "
                        "water. On the far right are the noble gases, whose full outer shells "
                        "make them stable. The columns are called groups and the rows are "
                        "called periods. Sodium sits in group one, period three; chlorine in "
                        "group seventeen, period three. Together they form sodium chloride, "
                        "the salt on your table."
                    ),
                ),
                LessonSpec(
                    "Balancing chemical equations",
                    """# Balancing chemical equations

A chemical equation shows reactants turning into products. Atoms are neither created
nor destroyed, so both sides must contain the same number of each kind of atom.

Take the burning of hydrogen:

```
H2 + O2 -> H2O          (unbalanced: 2 O on the left, 1 on the right)
2 H2 + O2 -> 2 H2O      (balanced: 4 H and 2 O on each side)
```

A reliable method:

1. Write the correct formulas of every reactant and product.
2. Count the atoms of each element on both sides.
3. Add **coefficients** (the numbers in front) — never change the formulas.
4. Balance elements that appear in only one compound on each side first; leave H and O
   for last.
5. Check every element once more.
""",
                ),
            ),
            quiz=QuizSpec(
                "Check your understanding: atoms and elements",
                questions=(
                    {
                        "type": "single_choice",
                        "prompt": "Which particle's number decides which element an atom is?",
                        "feedback": "The atomic number Z is the number of protons.",
                        "options": [
                            {"id": "proton", "text": "Proton", "correct": True},
                            {"id": "neutron", "text": "Neutron"},
                            {"id": "electron", "text": "Electron"},
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "prompt": "Which of these are noble gases? Choose all that apply.",
                        "feedback": "Group 18: helium, neon, argon, krypton, xenon, radon.",
                        "options": [
                            {"id": "helium", "text": "Helium", "correct": True},
                            {"id": "argon", "text": "Argon", "correct": True},
                            {"id": "chlorine", "text": "Chlorine"},
                            {"id": "sodium", "text": "Sodium"},
                        ],
                    },
                    {
                        "type": "true_false",
                        "prompt": "Melting ice is a chemical change.",
                        "feedback": "It is a physical change: the water is still H2O.",
                        "correct": False,
                    },
                    {
                        "type": "numeric",
                        "prompt": "How many neutrons does carbon-14 have (carbon has Z = 6)?",
                        "feedback": "Mass number 14 minus 6 protons leaves 8 neutrons.",
                        "answer": 8,
                    },
                    {
                        "type": "short_answer",
                        "prompt": "What is the chemical formula of water?",
                        "feedback": "Two hydrogen atoms bonded to one oxygen atom.",
                        "accepted_answers": ["H2O", "H₂O"],
                    },
                ),
            ),
            assignment=AssignmentSpec(
                "Lab report: everyday chemical changes",
                """Observe **three changes** at home (cooking, cleaning, rusting, a candle burning...)
and write a short lab report of 400-600 words.

For each change:

1. Describe what you saw, before and after.
2. Decide whether it is a **physical** or a **chemical** change, and give your evidence.
3. Where you can, write the word equation (e.g. *iron + oxygen → iron oxide*).

Submit the report as text or as a PDF. Stay safe: no experiments with heat or chemicals
without an adult's supervision.""",
                due_in_days=21,
                rubric=(
                    ("Observations", "Clear, specific descriptions of each change.", 4),
                    ("Classification", "Correct physical/chemical call with evidence.", 4),
                    ("Presentation", "Organised, within length, equations where possible.", 2),
                ),
            ),
        ),
    ),
)

PYTHON = CourseSpec(
    slug="python-for-data-analysis",
    title="Python for Data Analysis",
    summary="Load, clean, summarise and chart data with Python and pandas.",
    description=(
        "A practical course for analysts who know spreadsheets and want to move to Python.\n\n"
        "You will work in a notebook, load CSV files with **pandas**, clean messy columns, "
        "group and aggregate, and draw your first charts."
    ),
    category="Computing",
    tags=("python", "pandas", "data"),
    level="intermediate",
    estimated_hours=10,
    sections=(
        SectionSpec(
            "Getting started",
            lessons=(
                LessonSpec(
                    "Setting up your environment",
                    """# Setting up your environment

Data analysis in Python usually happens in a **notebook**: a document that mixes code,
its output and your notes. We use JupyterLab.

```bash
python -m venv .venv
source .venv/bin/activate        # on Windows: .venv\\Scripts\\activate
pip install pandas matplotlib jupyterlab
jupyter lab
```

A few habits that save hours later:

- Keep one folder per project, with a `data/` folder for raw files you never edit.
- Restart the kernel and run all cells before you share a notebook.
- Pin the versions you used (`pip freeze > requirements.txt`).

The video walks through the installation on each operating system.
""",
                    video_url=f"{VIDEO_BASE}/python-setup.mp4",
                    transcript=(
                        "In this video we set up Python for data analysis. First we create "
                        "a virtual environment so that the packages of this project do not "
                        "mix with others. Then we install pandas, matplotlib and JupyterLab "
                        "with pip. Finally we start JupyterLab and open a new notebook. Type "
                        "import pandas as pd in the first cell and press shift enter: if no "
                        "error appears, you are ready."
                    ),
                ),
                LessonSpec(
                    "DataFrames in ten minutes",
                    """# DataFrames in ten minutes

A **DataFrame** is a table: named columns, each of one type, and an index of rows.

```python
import pandas as pd

sales = pd.read_csv("data/sales.csv", parse_dates=["date"])
sales.head()          # the first five rows
sales.info()          # columns, types and missing values
sales.describe()      # count, mean, std, quartiles of numeric columns
```

Selecting data:

| You want              | Write                                   |
|-----------------------|-----------------------------------------|
| one column            | `sales["amount"]`                       |
| several columns       | `sales[["region", "amount"]]`           |
| rows by condition     | `sales[sales["amount"] > 100]`          |
| rows and columns      | `sales.loc[sales["region"] == "North", "amount"]` |

Columns support vectorised arithmetic — `sales["amount"] * 1.2` — which is much faster
than looping over rows.
""",
                ),
            ),
        ),
        SectionSpec(
            "Cleaning and summarising",
            lessons=(
                LessonSpec(
                    "Cleaning messy data",
                    """# Cleaning messy data

Real data is messy. Check for these problems every time:

1. **Missing values** — `sales.isna().sum()` counts them per column. Decide whether to
   drop rows (`dropna`), fill them (`fillna`) or keep them and say so.
2. **Wrong types** — numbers read as text because of a stray `"n/a"`:
   `pd.to_numeric(sales["amount"], errors="coerce")`.
3. **Inconsistent labels** — `"north"`, `"North "` and `"NORTH"`:
   `sales["region"].str.strip().str.title()`.
4. **Duplicates** — `sales.drop_duplicates(subset=["order_id"])`.

Write your cleaning steps as one function, so you can run them again on next month's file:

```python
def clean(frame: pd.DataFrame) -> pd.DataFrame:
    return (
        frame.drop_duplicates(subset=["order_id"])
        .assign(region=lambda f: f["region"].str.strip().str.title(),
                amount=lambda f: pd.to_numeric(f["amount"], errors="coerce"))
        .dropna(subset=["amount"])
    )
```
""",
                ),
                LessonSpec(
                    "Grouping and aggregating",
                    """# Grouping and aggregating

`groupby` splits the table into groups, applies a function to each and combines the
results — the pivot table of pandas.

```python
by_region = sales.groupby("region")["amount"].agg(["count", "sum", "mean"])
monthly = sales.groupby(sales["date"].dt.to_period("M"))["amount"].sum()
```

To chart the result:

```python
monthly.plot(kind="bar", title="Sales per month")
```

Good summaries answer a question. Before you group, write the question down: *Which
region grew fastest this quarter?* is a better start than *Let's look at the data.*
""",
                ),
            ),
            quiz=QuizSpec(
                "Quiz: pandas basics",
                questions=(
                    {
                        "type": "single_choice",
                        "prompt": "Which call shows the column types and missing values?",
                        "options": [
                            {"id": "info", "text": "sales.info()", "correct": True},
                            {"id": "head", "text": "sales.head()"},
                            {"id": "plot", "text": "sales.plot()"},
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "prompt": "Which are sensible ways to handle missing values?",
                        "options": [
                            {"id": "drop", "text": "Drop the rows with dropna", "correct": True},
                            {"id": "fill", "text": "Fill them with fillna", "correct": True},
                            {"id": "ignore", "text": "Delete the whole column always"},
                        ],
                    },
                    {
                        "type": "true_false",
                        "prompt": "Vectorised column arithmetic is usually faster than a loop.",
                        "correct": True,
                    },
                    {
                        "type": "short_answer",
                        "prompt": "Which DataFrame method splits rows into groups?",
                        "accepted_answers": ["groupby", "groupby()"],
                    },
                    {
                        "type": "numeric",
                        "prompt": "How many rows does head() show by default?",
                        "answer": 5,
                    },
                ),
            ),
            assignment=AssignmentSpec(
                "Project: analyse a public data set",
                """Pick a public CSV data set (your city's open data portal is a good source) and
answer **one question** about it in a notebook.

Your notebook must:

- load the raw file and show `info()`;
- clean it with one `clean()` function, explaining each step;
- answer the question with a grouped summary and one chart;
- end with three sentences of conclusion, including one limitation of the data.

Submit the notebook (`.ipynb` exported as PDF or Markdown).""",
                due_in_days=28,
                rubric=(
                    ("Question", "A clear question the data can answer.", 2),
                    ("Cleaning", "Problems found and fixed, steps explained.", 4),
                    ("Analysis", "Correct grouping and a readable chart.", 4),
                    ("Conclusion", "Answers the question and names a limitation.", 2),
                ),
            ),
        ),
    ),
)

WRITING = CourseSpec(
    slug="academic-writing-in-english",
    title="Academic Writing in English",
    summary="Plan, structure and revise clear academic essays in English.",
    description=(
        "For students writing essays and reports in English, whether or not it is their "
        "first language. We cover thesis statements, paragraph structure, citing sources "
        "and revising your own work."
    ),
    category="Languages",
    tags=("english", "writing", "essays"),
    level="intermediate",
    estimated_hours=8,
    sections=(
        SectionSpec(
            "Planning an essay",
            lessons=(
                LessonSpec(
                    "From question to thesis",
                    """# From question to thesis

Every good essay answers a question, and the **thesis statement** is that answer in one
or two sentences. It tells the reader what you will argue and, often, how.

Compare:

- *Weak:* "This essay will discuss renewable energy."
- *Strong:* "Although solar power is now the cheapest new source of electricity, grid
  storage remains the main obstacle to relying on it, as the cases of Germany and
  California show."

The strong thesis takes a position, can be disputed, and announces the structure.

## Steps

1. Underline the instruction words in the question (*evaluate*, *compare*, *discuss*).
2. Brainstorm for ten minutes without judging.
3. Write a one-sentence answer; refine it after your research.
""",
                ),
                LessonSpec(
                    "Building a paragraph",
                    """# Building a paragraph

An academic paragraph develops **one idea**. A common pattern is **PEEL**:

| Part         | Purpose                                  |
|--------------|------------------------------------------|
| **P**oint    | the topic sentence: the paragraph's claim |
| **E**vidence | data, a quotation or an example, cited  |
| **E**xplain  | how the evidence supports the point     |
| **L**ink     | back to the thesis or on to the next idea |

Useful linking words:

- adding: *moreover, in addition, furthermore*
- contrasting: *however, nevertheless, by contrast*
- concluding: *therefore, consequently, as a result*

Keep paragraphs between about 100 and 200 words; split any that make two points.
""",
                    video_url=f"{VIDEO_BASE}/peel-paragraphs.mp4",
                    transcript=(
                        "Let's build a paragraph together using PEEL. We start with the "
                        "point: a clear topic sentence. Then we bring evidence and cite it. "
                        "Next we explain, in our own words, why that evidence matters. "
                        "Finally we link back to the thesis. Notice how every sentence serves "
                        "the one idea of the paragraph."
                    ),
                ),
            ),
        ),
        SectionSpec(
            "Sources and revision",
            lessons=(
                LessonSpec(
                    "Citing sources",
                    """# Citing sources

You cite sources to give credit, to let readers check your evidence and to avoid
plagiarism. Most courses ask for **APA** or **Harvard** style; both use author and year
in the text and a full reference list at the end.

In the text: *Renewable capacity doubled between 2015 and 2022 (IEA, 2023).*

In the reference list:

```
International Energy Agency. (2023). Renewables 2023. IEA Publications.
```

Quote sparingly: paraphrase in your own words and cite, and keep direct quotations for
wording that matters. A reference manager (Zotero is free) saves hours.
""",
                ),
            ),
            quiz=QuizSpec(
                "Quiz: structure and style",
                questions=(
                    {
                        "type": "single_choice",
                        "prompt": "What does a thesis statement do?",
                        "options": [
                            {
                                "id": "position",
                                "text": "States the essay's answer and position",
                                "correct": True,
                            },
                            {"id": "topic", "text": "Names the topic only"},
                            {"id": "summary", "text": "Summarises every source"},
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "prompt": "Which words signal a contrast?",
                        "options": [
                            {"id": "however", "text": "however", "correct": True},
                            {"id": "nevertheless", "text": "nevertheless", "correct": True},
                            {"id": "moreover", "text": "moreover"},
                            {"id": "therefore", "text": "therefore"},
                        ],
                    },
                    {
                        "type": "true_false",
                        "prompt": "A paraphrase in your own words still needs a citation.",
                        "correct": True,
                    },
                    {
                        "type": "short_answer",
                        "prompt": "What does the first P in PEEL stand for?",
                        "accepted_answers": ["Point"],
                    },
                ),
            ),
            assignment=AssignmentSpec(
                "Essay: a 1,000-word argument",
                """Write an essay of **900-1,100 words** answering:

> *Should universities require every student to take a course in statistics?*

- Open with a thesis statement that takes a position.
- Use at least **three** cited sources in APA or Harvard style.
- Build each body paragraph with PEEL.
- Address one counter-argument fairly.

Submit as text or as a PDF/DOCX file.""",
                due_in_days=30,
                rubric=(
                    ("Thesis and argument", "A clear, arguable position held throughout.", 5),
                    ("Evidence", "Relevant sources, correctly cited.", 5),
                    ("Structure", "Coherent PEEL paragraphs and transitions.", 5),
                    ("Language", "Accurate grammar and academic register.", 5),
                ),
            ),
        ),
    ),
)

FINANCE = CourseSpec(
    slug="foundations-of-personal-finance",
    title="Foundations of Personal Finance",
    summary="Budgeting, saving, debt and investing basics for your own money.",
    description=(
        "Money skills nobody teaches at school: build a budget that works, an emergency "
        "fund, a plan for debt, and understand how compound interest and index funds work.\n\n"
        "*This course is education, not financial advice.*"
    ),
    category="Business",
    tags=("finance", "budgeting", "investing"),
    level="beginner",
    estimated_hours=5,
    sections=(
        SectionSpec(
            "Budgeting and saving",
            lessons=(
                LessonSpec(
                    "A budget that works",
                    """# A budget that works

A budget is a plan for your money *before* you spend it. The simple **50/30/20** rule is
a good start for your take-home pay:

| Share | For        | Examples                                 |
|-------|------------|------------------------------------------|
| 50 %  | needs      | rent, utilities, groceries, transport    |
| 30 %  | wants      | eating out, hobbies, subscriptions       |
| 20 %  | the future | savings, investments, extra debt payments |

To set it up:

1. Add up a typical month's income after tax.
2. List last month's spending from your bank statements — all of it.
3. Sort each line into needs, wants and the future.
4. Adjust: cut wants first, and automate the 20 % on payday.

Review the budget monthly; the first three months are always wrong, and that's fine.
""",
                ),
                LessonSpec(
                    "Your emergency fund",
                    """# Your emergency fund

An emergency fund is cash set aside for the unexpected: a lost job, a broken boiler,
a medical bill. Without one, a surprise becomes debt.

- **How much?** Three to six months of *essential* spending; more if your income varies.
- **Where?** An instant-access savings account, separate from your everyday account —
  not invested in shares, whose value can fall just when you need the money.
- **How?** Start small: one month's rent is already a great first target.

Only use it for real emergencies, and refill it first afterwards.
""",
                    video_url=f"{VIDEO_BASE}/emergency-fund.mp4",
                    transcript=(
                        "Why do you need an emergency fund? Because life happens. In this "
                        "video we work out a target from your essential monthly spending, "
                        "choose a savings account you can reach quickly, and set up an "
                        "automatic transfer so the fund grows without you thinking about it."
                    ),
                ),
            ),
        ),
        SectionSpec(
            "Debt and investing",
            lessons=(
                LessonSpec(
                    "Compound interest",
                    """# Compound interest

Interest earns interest. With a yearly rate *r*, an amount *P* grows after *n* years to

```
A = P * (1 + r) ** n
```

1,000 at 5 % a year becomes 1,050 after one year, 1,628.89 after ten and 4,321.94 after
thirty. The same arithmetic works *against* you on debt: a credit card at 20 % doubles
an unpaid balance in under four years.

Two strategies for paying down several debts:

- **Avalanche** — pay the highest interest rate first: cheapest overall.
- **Snowball** — pay the smallest balance first: quick wins that keep you going.

For long-term investing, low-cost **index funds** spread your money over many companies;
fees matter, because they compound too.
""",
                ),
            ),
            quiz=QuizSpec(
                "Quiz: money basics",
                questions=(
                    {
                        "type": "single_choice",
                        "prompt": "In the 50/30/20 rule, what is the 20 % for?",
                        "options": [
                            {"id": "future", "text": "Savings and debt repayment", "correct": True},
                            {"id": "needs", "text": "Rent and groceries"},
                            {"id": "wants", "text": "Hobbies and eating out"},
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "prompt": "Which are good homes for an emergency fund?",
                        "options": [
                            {
                                "id": "savings",
                                "text": "Instant-access savings account",
                                "correct": True,
                            },
                            {
                                "id": "separate",
                                "text": "A separate account from daily spending",
                                "correct": True,
                            },
                            {"id": "shares", "text": "Individual company shares"},
                        ],
                    },
                    {
                        "type": "true_false",
                        "prompt": "The avalanche method pays the smallest balance first.",
                        "correct": False,
                    },
                    {
                        "type": "numeric",
                        "prompt": "What does 1,000 at 10 % yearly interest become after 2 years?",
                        "answer": 1210,
                        "tolerance": 0.5,
                    },
                    {
                        "type": "short_answer",
                        "prompt": "What kind of fund spreads money over many companies at low cost?",
                        "accepted_answers": ["index fund", "index funds", "an index fund"],
                    },
                ),
            ),
            assignment=AssignmentSpec(
                "Plan: your three-month budget",
                """Build a budget for the next three months (real or for a fictional person).

Include:

1. Monthly take-home income and every spending line, sorted into needs, wants and future.
2. An emergency-fund target and the monthly amount that gets you there.
3. If there is debt: the order you would repay it in (avalanche or snowball) and why.

A spreadsheet exported to PDF, or a Markdown table, is fine.""",
                due_in_days=14,
                rubric=(
                    ("Completeness", "Income and all spending categories present.", 4),
                    ("Emergency fund", "A realistic target and saving rate.", 3),
                    ("Reasoning", "Choices explained, debt plan justified.", 3),
                ),
            ),
        ),
    ),
)

DEMO_COURSES: tuple[CourseSpec, ...] = (CHEMISTRY, PYTHON, WRITING, FINANCE)


def _demo(role: str, number: int = 0) -> tuple[str, str]:
    accounts = [account for account in DEMO_ACCOUNTS if account.role == role]
    return accounts[number].email, accounts[number].password


async def seed_demo_courses(client: httpx.AsyncClient) -> list[str]:
    """Create the demo courses that do not exist yet (found by slug) and enroll the demo
    learners in the new ones with some progress; returns the slugs created.

    ``client`` reaches the gateway: in process (``httpx.ASGITransport``) or over HTTP."""
    api = Api(client)
    instructor = await api.login(*_demo("instructor"))
    learner1 = await api.login(*_demo("learner", 0))
    learner2 = await api.login(*_demo("learner", 1))
    created: list[tuple[CourseSpec, BuiltCourse]] = []
    for spec in DEMO_COURSES:
        if await api.course_by_slug(spec.slug, instructor) is None:
            created.append((spec, await build_course(api, instructor, spec)))
    for spec, course in created:
        base = f"/api/v1/courses/{course.id}"
        for token in (learner1, learner2):
            await api.call("POST", f"{base}/enrollments", token=token, expect=(201, 409))
        # learner1 studies the first two courses and passes the first quiz;
        # learner2 has just begun the first one.
        if spec in DEMO_COURSES[:2]:
            for lesson_id in course.lesson_ids:
                await api.call("POST", f"{base}/items/{lesson_id}/complete", token=learner1)
        if spec is DEMO_COURSES[0]:
            quiz = next(section.quiz for section in spec.sections if section.quiz)
            await pass_quiz(api, learner1, course.id, course.quiz_ids[0], quiz)
            await api.call("POST", f"{base}/items/{course.lesson_ids[0]}/complete", token=learner2)
    return [course.slug for _, course in created]


async def seed_demo_courses_in_process(app: Any) -> list[str]:
    """``seed_demo_courses`` against the all-in-one gateway app, without a socket."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=INTERNAL_BASE_URL
    ) as client:
        return await seed_demo_courses(client)


async def seed_demo_courses_at(url: str) -> list[str]:
    """``seed_demo_courses`` against a running gateway (the distributed mode's nginx)."""
    async with httpx.AsyncClient(base_url=url) as client:
        return await seed_demo_courses(client)
