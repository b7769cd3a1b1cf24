"""Demo content loaded by `make run` (`manage.py load_demo_data`).

The first article is the seed story from the design card, its paragraphs as HTML
paragraphs with the original quotation marks. The rest spread over a small nested
category tree so that the API has something to filter. Loading is idempotent: every
row is matched on its slug and updated in place.
"""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

LEICA_BODY = "\n".join(
    [
        "<p>Today sees an important development in the digital camera marketplace with Leica and Panasonic jointly announcing that they’ve reached an agreement to work even closer together when it comes to developing digital cameras, lenses and software.</p>",
        "<p>Both companies have agreed to increasingly bundle their core competencies and to develop new technologies and solutions using the name ‘L2 Technology’ which symbolically brings the two letters of Leica and Panasonic’s LUMIX brand for use in their marketing activities going forward.</p>",
        "<p>L2 Technology will bring together the strengths of both the Leica and LUMIX brands by combining the technologies and know-how of the two companies when it comes to developing new camera and lens products, as well as next-generation software. The new partnership will also be used to create technologies and solutions for the future.</p>",
        "<p>Through this collaboration, both companies say they will be able to maximize the synergies of Leica’s optical and imaging technology and Panasonic’s video and digital technology that they’ve already been sharing over many years in the camera and imaging market. They will jointly explore “new creative and expressive endeavors”.</p>",
        "<p>Through this closer collaboration, the two companies will jointly invest in new technologies that can be incorporated into camera and lens products. This will include using jointly developed technologies in each other’s Leica and LUMIX products. Going forward, Leica and LUMIX will utilize L2 Technology to open up new possibilities for creative camera users and it will feature in their marketing activities to develop a collaborative system for the long term.</p>",
        "<p>“With the arrival of an era in which photos and videos are shared globally in real-time, cameras are required to have the capability to create more impressive and breathtaking expression. I have always been impressed by the high picture quality and the picture- making philosophy that Leica has developed over its long history. I am very pleased and excited to continue working with Leica to develop technology that will enable people around the world to share their emotions,” said Akira Toyoshima, the CEO of Panasonic Entertainment &amp; Communication Co.,Ltd.</p>",
        "<p>“We have been working with Panasonic for many years in a spirit of partnership and trust, and their extensive expertise is undisputed. The combination of our competencies in L2 Technology is another milestone in the partnership and proves that the best way to meet today’s challenges in the camera market is not to segment and specialize, but to deepen capabilities to jointly create solutions for the future,” added Matthias Harsch, the CEO of Leica Camera AG.</p>",
        "<p>Leica and Panasonic have been working together since August 2000. Initially, the companies had signed a cooperation agreement for lenses of digital and audio-visual equipment, but in 2001 the decision was made to cooperate in the digital camera sector as well. Since then, the companies have expanded their technological cooperation. In 2018, together with Sigma, they founded the L-Mount Alliance, an unprecedented type of cooperation that enabled Panasonic, Sigma and, since 2021, Ernst Leitz Wetzlar GmbH to use the L-mount standard developed by Leica for their own developments and thus also offer cameras as well as optics with this lens mount.</p>",
        "<p>This is a significant move towards working more closely together and should pay dividends for both companies. It will be interesting to see the L2 brand appearing on new products and see a convergence in the products that each offers.</p>",
    ]
)

LEICA_TITLE = (
    "Leica And Panasonic Announce New Cooperation For Digital Cameras, Lenses And Software"
)
LEICA_SLUG = "leica-and-panasonic-announce-new-cooperation-for-digital-cameras-lenses-and-software"

# (slug, name, parent slug), parents first.
CATEGORIES = [
    ("technology", "Technology", None),
    ("tech-industry", "Tech Industry", "technology"),
    ("cameras", "Cameras", "technology"),
    ("mirrorless", "Mirrorless", "cameras"),
    ("science", "Science", None),
    ("space", "Space", "science"),
    ("culture", "Culture", None),
]

TAGS = [
    ("leica", "Leica"),
    ("panasonic", "Panasonic"),
    ("partnerships", "Partnerships"),
    ("lenses", "Lenses"),
    ("reviews", "Reviews"),
    ("launches", "Launches"),
]

AUTHORS = [
    ("newsroom-staff", "Newsroom Staff", "Reporting from the news desk."),
    ("ana-lima", "Ana Lima", "Covers cameras and imaging."),
    ("tom-okafor", "Tom Okafor", "Science and space correspondent."),
]

_BASE = datetime(2022, 5, 18, 9, 0, tzinfo=UTC)


class DemoArticle(NamedTuple):
    slug: str
    title: str
    category: str  # a slug of CATEGORIES
    author: str  # a slug of AUTHORS
    tags: list[str]  # slugs of TAGS
    status: str
    published_at: datetime | None
    excerpt: str
    body: str


ARTICLES = [
    DemoArticle(
        LEICA_SLUG,
        LEICA_TITLE,
        "tech-industry",
        "newsroom-staff",
        ["leica", "panasonic", "partnerships"],
        "published",
        _BASE,
        (
            "Leica and Panasonic agree to work even closer together on digital cameras, "
            "lenses and software under the name ‘L2 Technology’."
        ),
        LEICA_BODY,
    ),
    DemoArticle(
        "hands-on-with-a-new-full-frame-mirrorless-body",
        "Hands-on with a new full-frame mirrorless body",
        "mirrorless",
        "ana-lima",
        ["reviews", "lenses"],
        "published",
        _BASE + timedelta(days=3),
        "Two weeks with an L-mount camera: handling, autofocus and battery life.",
        (
            "<h2>Handling</h2><p>The grip is deep and the dials fall under the thumb.</p>"
            "<h2>Autofocus</h2><p>Eye detection held on moving subjects in good light.</p>"
            "<ul><li>Weather sealed</li><li>Dual card slots</li></ul>"
        ),
    ),
    DemoArticle(
        "why-lens-mount-alliances-matter",
        "Why lens mount alliances matter",
        "cameras",
        "ana-lima",
        ["lenses", "partnerships"],
        "published",
        _BASE + timedelta(days=7),
        "Shared mounts give photographers more lenses and makers more buyers.",
        (
            "<p>When makers share a mount, every lens they build works on more bodies.</p>"
            "<blockquote><p>“A mount is a promise to the photographer.”</p></blockquote>"
        ),
    ),
    DemoArticle(
        "chipmakers-report-record-quarter",
        "Chipmakers report a record quarter",
        "tech-industry",
        "newsroom-staff",
        ["launches"],
        "published",
        _BASE + timedelta(days=10),
        "Demand for image sensors and AI accelerators lifted results.",
        "<p>Image sensors and accelerators led the growth.</p>",
    ),
    DemoArticle(
        "a-telescope-that-sees-the-first-galaxies",
        "A telescope that sees the first galaxies",
        "space",
        "tom-okafor",
        ["launches"],
        "published",
        _BASE + timedelta(days=14),
        "Infrared images reach back to the early universe.",
        "<p>The deep field shows galaxies as they were billions of years ago.</p>",
    ),
    DemoArticle(
        "museum-reopens-its-photography-wing",
        "Museum reopens its photography wing",
        "culture",
        "newsroom-staff",
        ["leica"],
        "published",
        _BASE + timedelta(days=20),
        "A century of street photography returns to the walls.",
        "<p>The collection opens with prints made on early Leica cameras.</p>",
    ),
    DemoArticle(
        "draft-notes-on-next-years-camera-launches",
        "Notes on next year's camera launches (draft)",
        "cameras",
        "ana-lima",
        ["launches"],
        "draft",
        None,
        "Not yet public: a draft to show the workflow.",
        "<p>Work in progress.</p>",
    ),
    DemoArticle(
        "scheduled-interview-with-a-lens-designer",
        "Interview with a lens designer (scheduled)",
        "cameras",
        "ana-lima",
        ["lenses"],
        "scheduled",
        # Far enough ahead that the demo always shows a not-yet-visible article.
        datetime(2099, 1, 1, 9, 0, tzinfo=UTC),
        "Goes live on its publication date, with no cron job.",
        "<p>How a lens is designed, from the first sketch to the last coating.</p>",
    ),
]
