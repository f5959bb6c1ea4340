"""Seed content for demo installations of twinwork.

Everything in this module is fictional: the freelancers, studios, buyers and gigs were
written for this project and do not describe real people or businesses. The data is plain
Python so it can be loaded by seeding scripts and tests without touching the database
layer. ``_validate()`` runs at import time so that malformed entries fail loudly.

Prices are integers in US cents.
"""

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class DemoPackage:
    name: str  # "basic" | "standard" | "premium"
    title: str
    summary: str
    price_amount: int  # US cents
    delivery_days: int
    revisions: int


@dataclass(frozen=True)
class DemoGig:
    title: str
    description: str
    category: str
    tags: tuple[str, ...]
    packages: tuple[DemoPackage, ...]


@dataclass(frozen=True)
class DemoFreelancer:
    handle: str
    display_name: str
    headline: str
    bio: str
    skills: tuple[str, ...]
    level: str  # "new" | "level_1" | "level_2" | "top_rated" | "pro"
    country: str  # ISO 3166-1 alpha-2
    rating: float
    review_count: int
    gigs: tuple[DemoGig, ...]


@dataclass(frozen=True)
class DemoBuyer:
    email: str
    display_name: str


CATEGORY_SLUGS: Final[tuple[str, ...]] = (
    "voice-over",
    "graphic-design",
    "logo-design",
    "song-lyrics",
    "copywriting",
    "illustration",
    "video-editing",
    "web-development",
    "ai-agent-development",
    "ai-video-creation",
    "comfyui-workflows",
    "vibe-coding",
    "ai-model-training",
)

LEVELS: Final[tuple[str, ...]] = ("new", "level_1", "level_2", "top_rated", "pro")
PACKAGE_NAMES: Final[tuple[str, ...]] = ("basic", "standard", "premium")
BUYER_EMAIL_DOMAIN: Final[str] = "@demo.twinwork.test"

FREELANCERS: tuple[DemoFreelancer, ...] = (
    DemoFreelancer(
        handle="mara-voss-voice",
        display_name="Mara Voss",
        headline="Warm bilingual English and German narrator for e-learning and brand films",
        bio=(
            "I have spent eleven years behind a microphone, first in regional radio in "
            "Hamburg and now in a treated home booth with a Neumann TLM 103 and an Apollo "
            "interface. I narrate training modules, product explainers and museum audio "
            "guides in neutral English and standard German. Every file is edited by hand, not "
            "by a noise gate, and I keep session notes so pickups months later still match "
            "the original take."
        ),
        skills=(
            "English narration",
            "German narration",
            "E-learning voice-over",
            "Audio editing",
            "Pro Tools",
        ),
        level="top_rated",
        country="DE",
        rating=4.9,
        review_count=412,
        gigs=(
            DemoGig(
                title="I will narrate your e-learning course in clear, friendly English or German",
                description=(
                    "Corporate training lives or dies on the voice. I read at a steady 140 to "
                    "150 words per minute, pronounce product names the way your team says "
                    "them, and keep the tone warm without sounding like an advert. Send a "
                    "final script in Word or Google Docs, plus a pronunciation list for "
                    "acronyms and names.\n\n"
                    "You get one WAV file per slide or module, 48 kHz 24-bit, breaths "
                    "softened and mouth clicks removed, named to match your script numbering "
                    "so it drops straight into Articulate Storyline or Rise. Need a 22.05 kHz "
                    "MP3 for an LMS? Just ask.\n\n"
                    "Prices are based on finished script word counts, not recorded minutes. "
                    "Pickups caused by my mistakes are always free."
                ),
                category="voice-over",
                tags=("e-learning", "narration", "german voice", "english voice"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Short module",
                        summary="Up to 500 words of narration, edited WAV files split per slide.",
                        price_amount=6000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full lesson",
                        summary=(
                            "Up to 2,000 words, split per slide, with one pronunciation "
                            "review call."
                        ),
                        price_amount=19500,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Course bundle",
                        summary=(
                            "Up to 6,000 words across modules, split files, MP3 copies and a "
                            "matching style log."
                        ),
                        price_amount=52000,
                        delivery_days=10,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Your podcast intro and outro, voiced and mixed with music",
                description=(
                    "A good intro tells listeners what the show is and why they should stay, "
                    "in under twenty seconds. Send me your show name, host names, a line "
                    "about the topic and, if you have one, the music bed you already use. If "
                    "you have no script, I will draft three options for you to choose from.\n\n"
                    "I record the read at two or three energy levels, then mix the best one "
                    "over your music with proper ducking and loudness at -16 LUFS for stereo "
                    "podcasts. Delivery is a WAV master and an MP3, plus a dry voice-only "
                    "file so your editor can remix later."
                ),
                category="voice-over",
                tags=("podcast intro", "voice-over", "audio mixing", "podcast outro"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Voice only",
                        summary="Intro read up to 40 words, dry WAV, two energy takes.",
                        price_amount=3500,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Intro and outro",
                        summary="Intro and outro up to 80 words total, mixed over your music.",
                        price_amount=7500,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Show package",
                        summary=(
                            "Intro, outro, three ad-break bumpers and a sponsor read "
                            "template, all mixed."
                        ),
                        price_amount=16000,
                        delivery_days=5,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="German voice-over for product videos, app demos and explainers",
                description=(
                    "If you are launching in Germany, Austria or Switzerland, a native read "
                    "makes the difference between sounding local and sounding translated. I "
                    "record in standard High German with a relaxed, modern tone that suits "
                    "software, consumer products and startups.\n\n"
                    "I can also check your translated script before recording and flag "
                    "phrases that read stiffly out loud. Timing to picture is included: send "
                    "an MP4 with timecode or a reference track and I will fit each line to "
                    "its on-screen moment.\n\n"
                    "Files arrive as 48 kHz WAV, cut per line or as one continuous take, "
                    "whichever suits your editor."
                ),
                category="voice-over",
                tags=("german voice-over", "explainer video", "app demo", "native german"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Up to 150 words",
                        summary="Native German read up to 150 words, one continuous WAV.",
                        price_amount=5000,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Synced to video",
                        summary="Up to 400 words, script proofread and timed to your video.",
                        price_amount=12000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Launch pack",
                        summary=(
                            "Up to 1,000 words, script polish, sync to picture and a "
                            "broadcast-ready mix."
                        ),
                        price_amount=28000,
                        delivery_days=5,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="theo-okafor-voice",
        display_name="Theo Okafor",
        headline="Deep, grounded narrator for audiobooks, documentaries and trailers",
        bio=(
            "I'm a Lagos-based voice actor with a low, resonant baritone and a background in "
            "stage theatre. Most of my work is audiobook narration and documentary "
            "voice-over, with the odd game trailer when someone needs a voice that sounds "
            "like it has seen things. I record in a foam-lined booth on a Rode NT1 into "
            "Reaper, and I edit every chapter myself before it leaves my hands."
        ),
        skills=(
            "Audiobook narration",
            "Documentary voice-over",
            "Character voices",
            "Reaper",
            "Audio mastering",
        ),
        level="level_2",
        country="NG",
        rating=4.8,
        review_count=137,
        gigs=(
            DemoGig(
                title="I will narrate your audiobook with a rich baritone and real character work",
                description=(
                    "Fiction needs more than a nice voice. I read the whole manuscript before "
                    "recording, build a character sheet so each speaker stays consistent "
                    "across chapters, and ask you about accents and pronunciations up front "
                    "rather than guessing.\n\n"
                    "Chapters are delivered as separate files that meet common audiobook "
                    "platform specs: RMS between -23 and -18 dB, peaks under -3 dB, a noise "
                    "floor below -60 dB and room tone at the head and tail. A retail sample "
                    "of up to five minutes is included in every package.\n\n"
                    "Please send a final, proofread manuscript. Prices are per finished hour "
                    "of audio."
                ),
                category="voice-over",
                tags=("audiobook", "narration", "fiction", "baritone"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Sample chapter",
                        summary="Up to 15 finished minutes, mastered to audiobook spec.",
                        price_amount=6000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Finished hour",
                        summary=(
                            "One finished hour of narration with character sheet and mastering."
                        ),
                        price_amount=18000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Five-hour book",
                        summary="Up to five finished hours, mastered chapters and a retail sample.",
                        price_amount=85000,
                        delivery_days=21,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Documentary or trailer voice-over with a deep cinematic tone",
                description=(
                    "For nature films, history pieces, true-crime channels and game trailers, "
                    "I bring a slow, weighty delivery that lets visuals breathe. I'm happy to "
                    "take direction over a live session if you want to steer the read in real "
                    "time.\n\n"
                    "Send your script and a rough cut or reference clip. I deliver a clean, "
                    "edited WAV with each paragraph as a separate region, plus an alternate "
                    "take of any line you flag as important. Music and sound design are not "
                    "included, but I leave clean gaps for them."
                ),
                category="voice-over",
                tags=("documentary", "trailer voice", "deep voice", "youtube narration"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Trailer read",
                        summary="Up to 120 words, two distinct reads, edited WAV.",
                        price_amount=4500,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Documentary segment",
                        summary="Up to 1,200 words with alternates for flagged lines.",
                        price_amount=15000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Directed session",
                        summary="Up to 3,000 words plus a one-hour live directed session.",
                        price_amount=38000,
                        delivery_days=6,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="lucia-ferreira-brand",
        display_name="Lucia Ferreira",
        headline="Brand identity designer: logos, type systems and guidelines that scale",
        bio=(
            "I run a two-person identity studio in Porto and have shaped logos for bakeries, "
            "biotech startups and a municipal cycling program. My process starts with "
            "questions, not sketches: who you serve, what you are not, and where the mark "
            "will live. I design in Illustrator and Figma, test every logo at favicon size, "
            "and hand over files your printer and developer will both understand."
        ),
        skills=(
            "Brand identity",
            "Logo design",
            "Typography",
            "Adobe Illustrator",
            "Figma",
            "Brand guidelines",
        ),
        level="pro",
        country="PT",
        rating=5.0,
        review_count=684,
        gigs=(
            DemoGig(
                title="I will design a distinctive logo with a full brand starter kit",
                description=(
                    "You fill in a short brief about your audience, competitors and the "
                    "feelings you want the brand to carry. I then present original logo "
                    "concepts as a PDF with mockups on signage, packaging and a phone screen, "
                    "so you judge them in context rather than on a white artboard.\n\n"
                    "After you choose a direction we refine it together. Final files include "
                    "AI, EPS, SVG, PDF and transparent PNG in full colour, one colour and "
                    "reversed, plus a one-page sheet with your colour codes in HEX, RGB and "
                    "CMYK and the typefaces used.\n\n"
                    "Only original vector work. No stock icons, no templates."
                ),
                category="logo-design",
                tags=("logo", "brand identity", "minimalist logo", "vector logo"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Starter logo",
                        summary="Two logo concepts, final vector files and a colour sheet.",
                        price_amount=12000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Logo and palette",
                        summary=(
                            "Four concepts, logo variations, palette and type pairing in a "
                            "mini guide."
                        ),
                        price_amount=32000,
                        delivery_days=6,
                        revisions=4,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Brand starter kit",
                        summary=(
                            "Six concepts, full variation set, 12-page guidelines and social "
                            "profile assets."
                        ),
                        price_amount=85000,
                        delivery_days=10,
                        revisions=6,
                    ),
                ),
            ),
            DemoGig(
                title="Logo refresh: modernize your existing mark without losing recognition",
                description=(
                    "Maybe your logo was drawn fifteen years ago, looks fuzzy on screens, or "
                    "falls apart at small sizes. A refresh keeps what customers already "
                    "recognise and fixes the rest: cleaner geometry, better spacing, a "
                    "properly licensed typeface, and a simplified version for icons.\n\n"
                    "Send whatever you have, even a low-resolution JPG or a photo of your "
                    "shop sign. I redraw it as clean vectors first, then propose refined "
                    "versions side by side with the original so you can see exactly what "
                    "changed and why.\n\n"
                    "You receive layered source files and an export set for web, print and "
                    "embroidery."
                ),
                category="logo-design",
                tags=("logo redesign", "logo refresh", "vectorize logo", "rebrand"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Clean redraw",
                        summary=(
                            "Faithful vector redraw of your current logo in all standard formats."
                        ),
                        price_amount=6000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Light refresh",
                        summary="Redraw plus two refined directions and a simplified icon version.",
                        price_amount=22000,
                        delivery_days=5,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full refresh",
                        summary=(
                            "Three directions, icon, wordmark, lockups and a short usage guide."
                        ),
                        price_amount=48000,
                        delivery_days=8,
                        revisions=5,
                    ),
                ),
            ),
            DemoGig(
                title="Brand style guide and visual system built in Figma",
                description=(
                    "A logo alone does not make a brand look consistent. I build a living "
                    "style guide in Figma covering colour, type scale, spacing, photography "
                    "direction, iconography rules and do-and-don't examples, organised so "
                    "your team can find an answer in seconds.\n\n"
                    "Everything is set up as Figma styles and variables, so your designers "
                    "and developers pull colours and text styles straight from the library. I "
                    "also export a PDF version for printers and partners who do not use "
                    "Figma.\n\n"
                    "You need an existing logo. If you have none, pair this with my logo gig."
                ),
                category="graphic-design",
                tags=("brand guidelines", "style guide", "figma", "logo usage"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Essentials",
                        summary="Colour, type and logo usage rules on six Figma pages plus PDF.",
                        price_amount=18000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Core system",
                        summary=(
                            "Essentials plus spacing, icon style, imagery and ten component "
                            "examples."
                        ),
                        price_amount=42000,
                        delivery_days=8,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Complete guide",
                        summary=(
                            "Full system with templates for slides, social posts and stationery."
                        ),
                        price_amount=95000,
                        delivery_days=14,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="Packaging and label design for small product brands",
                description=(
                    "I design labels and boxes for coffee roasters, candle makers, skincare "
                    "brands and small-batch food producers. Tell me the product, the "
                    "container size and where it will sell, and send your printer's dieline "
                    "if you already have one. If not, I can work from exact measurements.\n\n"
                    "You get print-ready PDF files in CMYK with 3 mm bleed, crop marks and "
                    "outlined fonts, plus a flat mockup for your online shop. I check barcode "
                    "placement, space for ingredient text and minimum font sizes, but please "
                    "confirm regulatory copy with your local authority."
                ),
                category="graphic-design",
                tags=("packaging design", "label design", "print ready", "product label"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Single label",
                        summary="One front label design, print-ready PDF and a mockup.",
                        price_amount=9500,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Label set",
                        summary="Front and back label plus two flavour or scent variants.",
                        price_amount=24000,
                        delivery_days=6,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Box and labels",
                        summary="Folding box on your dieline, full label system and 3D mockups.",
                        price_amount=52000,
                        delivery_days=10,
                        revisions=4,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="pixelnest-studio",
        display_name="Pixelnest Studio",
        headline="Small Manila design team for logos, social graphics and pitch decks",
        bio=(
            "Pixelnest is three designers in Quezon City who like tidy layers and fast "
            "replies. We split work by strength: one of us lives in Illustrator, one in Figma "
            "and one in After Effects for the occasional animated post. Overlapping hours "
            "with Australia and the US west coast mean you usually wake up to progress. Every "
            "project gets a shared folder and a named contact."
        ),
        skills=(
            "Logo design",
            "Social media graphics",
            "Pitch deck design",
            "Figma",
            "Adobe Illustrator",
        ),
        level="level_2",
        country="PH",
        rating=4.7,
        review_count=219,
        gigs=(
            DemoGig(
                title="We will create a clean, modern logo for your startup or side project",
                description=(
                    "Good for founders who need something professional this week, not a "
                    "six-week branding engagement. Fill in our questionnaire, share two or "
                    "three logos you like and say why, and we will sketch a handful of "
                    "directions before building the strongest ones in vector.\n\n"
                    "Each concept comes with a quick mockup on a website header and a "
                    "business card. Final delivery includes SVG, PNG, PDF and a source AI "
                    "file, plus a square app icon version that stays legible at 32 pixels."
                ),
                category="logo-design",
                tags=("logo", "startup logo", "modern logo", "app icon"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Quick start",
                        summary="Two logo concepts, PNG and SVG files.",
                        price_amount=4500,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Founder pack",
                        summary="Four concepts, source files, app icon and favicon.",
                        price_amount=11000,
                        delivery_days=4,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Launch ready",
                        summary="Six concepts, full files, icon set and business card design.",
                        price_amount=22000,
                        delivery_days=6,
                        revisions=5,
                    ),
                ),
            ),
            DemoGig(
                title="Social media post templates your team can edit in Figma or Canva",
                description=(
                    "Posting consistently is easier when the layouts already exist. We design "
                    "a set of on-brand templates for quotes, announcements, carousels, event "
                    "promos and stories, with clearly locked and editable areas so anyone on "
                    "your team can swap text and photos without breaking the design.\n\n"
                    "Send your logo, colours, fonts and a few posts you like. Templates are "
                    "delivered as a shared Figma file or a Canva template link, sized for "
                    "square, portrait and story formats. Our Canva versions use only fonts "
                    "available in the free plan unless you tell us otherwise."
                ),
                category="graphic-design",
                tags=("social media templates", "instagram posts", "canva", "figma templates"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Starter set",
                        summary="Six templates in one format with your brand styles.",
                        price_amount=6000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Content kit",
                        summary="Fifteen templates across post, carousel and story sizes.",
                        price_amount=14000,
                        delivery_days=5,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full library",
                        summary="Thirty templates, highlight covers and a short how-to video.",
                        price_amount=26000,
                        delivery_days=7,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="Pitch deck design that makes your numbers easy to follow",
                description=(
                    "Investors skim. We turn your draft deck into clear slides with one idea "
                    "per page, readable charts and a consistent visual rhythm. Send your "
                    "current slides in any state, plus your logo and brand colours; a rough "
                    "draft with speaker notes is a perfectly good starting point.\n\n"
                    "We rebuild charts from your data rather than pasting screenshots, so "
                    "they stay sharp and editable. You receive the deck in PowerPoint, Google "
                    "Slides or Keynote, along with a PDF export for email. We do not write "
                    "your business plan, but we will flag slides that feel unclear."
                ),
                category="graphic-design",
                tags=("pitch deck", "presentation design", "investor deck", "powerpoint"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Ten slides",
                        summary="Redesign of up to 10 slides with editable charts.",
                        price_amount=9000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full deck",
                        summary="Up to 20 slides, custom icons and a PDF export.",
                        price_amount=19000,
                        delivery_days=5,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Deck and teaser",
                        summary="Up to 30 slides plus a five-slide teaser for cold outreach.",
                        price_amount=34000,
                        delivery_days=7,
                        revisions=4,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="kenji-arai-design",
        display_name="Kenji Arai",
        headline="Minimal line-based logos and wordmarks from a Tokyo type nerd",
        bio=(
            "I recently left an in-house design team at a Tokyo printing company to work "
            "independently. My style leans minimal: careful letterspacing, simple geometric "
            "marks and lots of negative space. I'm new to freelancing platforms, so my prices "
            "are introductory, but my process is not. Every logo is drawn in Illustrator from "
            "scratch and checked in print at actual size."
        ),
        skills=(
            "Logo design",
            "Wordmarks",
            "Typography",
            "Adobe Illustrator",
            "Japanese typography",
        ),
        level="new",
        country="JP",
        rating=0.0,
        review_count=0,
        gigs=(
            DemoGig(
                title="I will design a minimalist wordmark logo with custom lettering",
                description=(
                    "A wordmark is a logo made from your name, set so carefully it becomes "
                    "recognisable on its own. I start from a shortlist of typefaces, then "
                    "adjust letterforms, kerning and weight by hand so the result is yours "
                    "rather than a font anyone can type.\n\n"
                    "Tell me your brand name, a sentence about what you do and three words "
                    "describing the feeling you want. You get two or three directions as a "
                    "PDF, then refinements on your favourite. Final files: SVG, PDF and "
                    "transparent PNG in black, white and colour versions."
                ),
                category="logo-design",
                tags=("minimalist logo", "wordmark", "logo", "custom lettering"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="One direction",
                        summary="One refined wordmark, SVG and PNG files.",
                        price_amount=3500,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Three directions",
                        summary="Three wordmark directions and full file set for the chosen one.",
                        price_amount=8000,
                        delivery_days=5,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Wordmark and symbol",
                        summary="Three directions, a matching symbol mark and lockup variations.",
                        price_amount=16000,
                        delivery_days=7,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="Bilingual Japanese and English logo lockups for your brand",
                description=(
                    "Entering the Japanese market, or opening a restaurant or shop with a "
                    "Japanese name? Pairing katakana or kanji with Latin letters is tricky: "
                    "weights, baselines and visual sizes rarely match out of the box. I "
                    "balance both scripts so neither looks like an afterthought.\n\n"
                    "Send your existing logo, or just the brand name and its Japanese "
                    "rendering if you have one. I can suggest a natural katakana spelling, "
                    "but please have a native reviewer confirm any marketing copy. You "
                    "receive horizontal and stacked lockups in SVG, PDF and PNG."
                ),
                category="logo-design",
                tags=("japanese logo", "bilingual logo", "katakana", "logo lockup"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Lockup",
                        summary="One bilingual lockup built from your existing logo.",
                        price_amount=6000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Lockup set",
                        summary="Horizontal and stacked lockups with spacing rules.",
                        price_amount=13000,
                        delivery_days=6,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full adaptation",
                        summary="Custom Japanese lettering, lockup set and signage mockups.",
                        price_amount=26000,
                        delivery_days=9,
                        revisions=4,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="ink-and-orbit",
        display_name="Ink and Orbit Studio",
        headline="Playful mascots, character logos and sticker art from Buenos Aires",
        bio=(
            "We are a husband-and-wife illustration duo who started by drawing stickers for "
            "local football clubs and never stopped. Our characters are bold, round and "
            "expressive, built to work on jerseys, app splash screens and tiny chat stickers "
            "alike. We sketch in Procreate, finish in Illustrator for anything that needs to "
            "scale, and always send pencil roughs before colour."
        ),
        skills=(
            "Mascot design",
            "Character illustration",
            "Sticker design",
            "Procreate",
            "Adobe Illustrator",
        ),
        level="level_1",
        country="AR",
        rating=4.6,
        review_count=38,
        gigs=(
            DemoGig(
                title="A friendly mascot logo for your team, channel or brand",
                description=(
                    "Mascot logos work brilliantly for esports teams, streamers, kids' "
                    "products and community clubs, anywhere a face is more memorable than a "
                    "wordmark. Tell us the personality you want, the animal or creature if "
                    "you have one in mind, and where the logo will appear.\n\n"
                    "We send pencil roughs of poses and expressions first, then ink and "
                    "colour the chosen one. Final vector files are cleaned up for embroidery "
                    "and vinyl cutting, with a simplified badge version for small sizes. Text "
                    "lockups with your team name are included in standard and premium."
                ),
                category="logo-design",
                tags=("mascot logo", "esports logo", "character logo", "logo"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Mascot head",
                        summary="Head-only mascot in vector with one colour scheme.",
                        price_amount=7500,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Mascot logo",
                        summary="Half-body mascot with name lockup and badge version.",
                        price_amount=16000,
                        delivery_days=7,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Mascot kit",
                        summary="Full mascot logo plus three extra expressions for social use.",
                        price_amount=32000,
                        delivery_days=10,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="Custom sticker pack for chat apps or print",
                description=(
                    "We draw a set of expressive stickers from your mascot, your pet, or a "
                    "photo of you. Think reactions people actually use: thank you, laughing, "
                    "facepalm, coffee, good night. You choose the phrases, or we suggest a "
                    "set based on how your community chats.\n\n"
                    "Digital stickers are delivered as 512 pixel transparent PNG and WebP, "
                    "ready for common chat sticker tools. Print stickers come as a CMYK PDF "
                    "with cut lines for die-cut or kiss-cut sheets. Send clear reference "
                    "photos from a few angles if we are drawing a real pet or person."
                ),
                category="illustration",
                tags=("sticker pack", "telegram stickers", "chat stickers", "cute illustration"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Four stickers",
                        summary="Four expressive stickers in PNG and WebP.",
                        price_amount=4000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Twelve stickers",
                        summary="Twelve stickers with digital and print-ready files.",
                        price_amount=11000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Twenty-four stickers",
                        summary="Twenty-four stickers, two outfits and one animated sticker.",
                        price_amount=22000,
                        delivery_days=12,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Children's character design with a full turnaround sheet",
                description=(
                    "Before anyone illustrates a picture book or animates a series, the "
                    "characters need to be locked down. We design your hero from your written "
                    "description, then produce a turnaround sheet with front, three-quarter, "
                    "side and back views, plus a colour palette and a row of key expressions.\n\n"
                    "This sheet becomes the reference every later artist works from, so we "
                    "keep line weights and proportions consistent and label measurements "
                    "relative to head height. Files arrive as layered PSD and a flattened "
                    "high-resolution PNG. Commercial rights for the character transfer to you "
                    "on completion."
                ),
                category="illustration",
                tags=("character design", "turnaround sheet", "childrens book", "model sheet"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Concept sketches",
                        summary="Three rough pencil concepts of one character.",
                        price_amount=6000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Character sheet",
                        summary="One finished character with turnaround and expressions.",
                        price_amount=18000,
                        delivery_days=8,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Cast of three",
                        summary="Three characters with turnarounds, expressions and a lineup.",
                        price_amount=45000,
                        delivery_days=14,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="noor-haddad-lyrics",
        display_name="Noor Haddad",
        headline="Lyricist for pop, R&B and Arabic-English crossover songs",
        bio=(
            "I'm a songwriter from Amman who writes in English and Arabic and loves the space "
            "in between. I studied literature, played in a wedding band for six years, and "
            "now write lyrics for independent artists, jingles and the occasional film score. "
            "I think in syllables and stresses, so my lines sit on a melody instead of "
            "fighting it. Your credit and royalties stay entirely yours."
        ),
        skills=(
            "Song lyrics",
            "Topline writing",
            "Arabic lyrics",
            "Pop songwriting",
            "Rhyme and meter",
        ),
        level="level_1",
        country="JO",
        rating=4.7,
        review_count=52,
        gigs=(
            DemoGig(
                title="I will write original pop or R&B lyrics that fit your melody",
                description=(
                    "Send a demo, even a voice memo of you humming nonsense syllables, and I "
                    "will write lyrics that match your phrasing note for note. No melody yet? "
                    "Tell me the tempo, the mood and a reference track, and I will write to a "
                    "standard verse, pre-chorus, chorus structure.\n\n"
                    "You get the lyric sheet with sections marked, syllable counts per line "
                    "and a short note on the story and imagery so you can sing it with "
                    "intent. I'm happy to adjust lines that don't feel natural in your mouth; "
                    "that's what revisions are for.\n\n"
                    "Full rights and writer credit transfer to you on delivery."
                ),
                category="song-lyrics",
                tags=("song lyrics", "pop lyrics", "rnb", "songwriter"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Verse and chorus",
                        summary="One verse and chorus written to your melody or brief.",
                        price_amount=4000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full song",
                        summary="Two verses, pre-chorus, chorus and bridge with a syllable map.",
                        price_amount=9000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Song plus alternates",
                        summary="Full song, two alternate choruses and a phonetic guide.",
                        price_amount=16000,
                        delivery_days=7,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Arabic and English bilingual lyrics for crossover tracks",
                description=(
                    "Switching languages mid-song can sound forced, or it can be the hook "
                    "everyone remembers. I write bilingual lyrics where each switch has a "
                    "reason, usually landing the emotional line in the language that carries "
                    "it best. Levantine dialect and widely understood standard Arabic are "
                    "both on the table.\n\n"
                    "Delivery includes the lyric in Arabic script, a Latin transliteration "
                    "for singers who don't read Arabic, and a line-by-line English meaning so "
                    "producers understand what is being sung. Include your demo or reference "
                    "track and tell me which dialect your audience speaks."
                ),
                category="song-lyrics",
                tags=("arabic lyrics", "bilingual song", "lyric translation", "crossover"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Bilingual hook",
                        summary="A bilingual chorus with transliteration and meaning.",
                        price_amount=5000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full bilingual song",
                        summary="Complete lyric with transliteration and English meaning.",
                        price_amount=12000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Song and coaching",
                        summary="Full song plus a recorded pronunciation guide for the singer.",
                        price_amount=20000,
                        delivery_days=8,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Catchy jingle lyrics for radio spots, apps and local businesses",
                description=(
                    "A jingle has about eight seconds to plant your name in someone's head. I "
                    "write short, singable lines built around your brand name and one clear "
                    "promise, with the name landing on a strong beat so it sticks.\n\n"
                    "Tell me your business, the audience, where the jingle will air and how "
                    "long it runs: 5, 15 or 30 seconds. I deliver lyric options with stress "
                    "marks, so your composer or singer knows where the emphasis falls. If you "
                    "already have music, send it and I will write to the existing rhythm."
                ),
                category="song-lyrics",
                tags=("jingle", "radio jingle", "brand song", "catchy lyrics"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="One jingle",
                        summary="One jingle lyric up to 15 seconds, with stress marks.",
                        price_amount=3000,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Three options",
                        summary="Three jingle lyrics in different tones to compare.",
                        price_amount=7000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Campaign set",
                        summary="Jingles in 5, 15 and 30 second cuts plus a tagline.",
                        price_amount=14000,
                        delivery_days=5,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="verse-mechanic",
        display_name="Callum Reid",
        headline="Story-first lyricist for folk, country and singer-songwriters",
        bio=(
            "I grew up in Glasgow pubs where a song had to earn silence, which taught me to "
            "write lines people lean in for. I specialise in narrative lyrics for folk, "
            "Americana and acoustic pop: specific places, small details, choruses that land "
            "on the second listen. I've written for independent artists on four continents "
            "and I still mark up every draft by hand before typing it."
        ),
        skills=(
            "Narrative lyrics",
            "Folk songwriting",
            "Country lyrics",
            "Lyric editing",
            "Song structure",
        ),
        level="level_2",
        country="GB",
        rating=4.8,
        review_count=163,
        gigs=(
            DemoGig(
                title="I will write a story-driven folk or country song from your idea",
                description=(
                    "Give me the story: a grandparent's farm, a breakup at a bus station, a "
                    "town that no longer exists. I'll shape it into verses that move the "
                    "story forward and a chorus that means something slightly different each "
                    "time it comes round.\n\n"
                    "I start with a short questionnaire or a voice note from you, because the "
                    "small details are what make a song ring true. Expect a lyric sheet with "
                    "chord-friendly line lengths, a suggested rhyme scheme and notes on where "
                    "a melody might lift. I write in English only.\n\n"
                    "Personal songs for weddings and anniversaries are welcome."
                ),
                category="song-lyrics",
                tags=("folk song", "country lyrics", "story song", "custom song"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Short song",
                        summary="Two verses and a chorus from your story.",
                        price_amount=5500,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full song",
                        summary="Three verses, chorus and bridge with rhyme notes.",
                        price_amount=11000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Song and guide melody",
                        summary="Full song plus a rough sung guide melody on guitar.",
                        price_amount=22000,
                        delivery_days=9,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Lyric doctoring: your song lyrics edited and strengthened",
                description=(
                    "You've written the song but something's not working: a verse that drags, "
                    "a chorus that almost lands, rhymes that feel forced. I read your lyric "
                    "closely, listen to your demo if you have one, and return an annotated "
                    "version with specific rewrites and the reasoning behind each.\n\n"
                    "I respect your voice, so changes stay in your vocabulary and style. I "
                    "point out cliches, mixed metaphors, stress mismatches between words and "
                    "melody, and places where a concrete image would beat an abstract one. "
                    "You decide what to keep."
                ),
                category="song-lyrics",
                tags=("lyric editing", "songwriting feedback", "lyric doctor", "song critique"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Quick read",
                        summary="Written notes on one lyric with three suggested rewrites.",
                        price_amount=2500,
                        delivery_days=2,
                        revisions=0,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full edit",
                        summary="Line-by-line edit of one song with rewrite options.",
                        price_amount=6000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Edit and call",
                        summary="Full edit plus a 45-minute video call to work through it.",
                        price_amount=11000,
                        delivery_days=4,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="ines-marchetti-copy",
        display_name="Ines Marchetti",
        headline="Conversion copywriter for SaaS landing pages and launch emails",
        bio=(
            "I spent seven years writing for B2B software companies in Milan and London "
            "before going independent. I write landing pages, onboarding emails and product "
            "launch sequences in English, and every project starts with research: customer "
            "interviews if you have them, reviews and support tickets if you don't. You bring "
            "the product knowledge, I bring the words, and together we remove everything that "
            "doesn't help someone decide."
        ),
        skills=(
            "Conversion copywriting",
            "SaaS landing pages",
            "Email sequences",
            "Customer research",
            "UX writing",
        ),
        level="top_rated",
        country="IT",
        rating=4.9,
        review_count=508,
        gigs=(
            DemoGig(
                title="I will write high-converting landing page copy for your SaaS product",
                description=(
                    "Most landing pages describe features. Good ones describe the moment a "
                    "customer realises they need you. I start by reading your reviews, sales "
                    "call notes and competitor pages, then write a page structured around the "
                    "objections your buyers actually raise.\n\n"
                    "You get a Google Doc with the full page: headline options, subheads, "
                    "body copy, social proof placement, FAQ and calls to action, with "
                    "wireframe notes so your designer knows what goes where. I also include "
                    "two alternate hero sections for A/B testing.\n\n"
                    "Please share any existing research and analytics before we start."
                ),
                category="copywriting",
                tags=("landing page copy", "saas copywriting", "conversion copy", "website copy"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Hero rewrite",
                        summary="New hero section with three headline variants and CTA copy.",
                        price_amount=15000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full landing page",
                        summary="Complete landing page with wireframe notes and FAQ.",
                        price_amount=60000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Research and page",
                        summary="Customer research, full page, two A/B hero variants and a call.",
                        price_amount=120000,
                        delivery_days=12,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Onboarding email sequence that turns sign-ups into active users",
                description=(
                    "Trial users who never reach their first win rarely convert. I map your "
                    "activation milestones with you, then write a sequence of emails "
                    "triggered by what each user has or hasn't done, not just by days since "
                    "sign-up.\n\n"
                    "Each email has one job, one link and a subject line checked against "
                    "preview text length on mobile. Delivery is a Google Doc plus a simple "
                    "flow diagram showing triggers and timing, formatted so you can paste it "
                    "into whichever email platform you use."
                ),
                category="copywriting",
                tags=("email sequence", "onboarding emails", "saas email", "email copywriting"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Three emails",
                        summary="Three onboarding emails with subject line variants.",
                        price_amount=18000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Seven emails",
                        summary="Seven behaviour-based emails with a flow diagram.",
                        price_amount=42000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full lifecycle",
                        summary="Onboarding, trial-end and win-back sequences, up to 14 emails.",
                        price_amount=85000,
                        delivery_days=12,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Product launch copy: announcement post, email and social snippets",
                description=(
                    "Launching a feature or a new product? I write the whole launch package "
                    "in one consistent voice: the blog announcement, the customer email, "
                    "in-app banner text and short social posts, all pointing to the same "
                    "clear promise.\n\n"
                    "Share your release notes, screenshots and who the launch is for. I'll "
                    "turn technical changes into benefits without overselling, and flag any "
                    "claim that needs a source. You receive everything in one organised doc, "
                    "grouped by channel with character counts."
                ),
                category="copywriting",
                tags=("product launch", "announcement copy", "release notes", "social copy"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Email and posts",
                        summary="Launch email plus three social posts.",
                        price_amount=20000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Launch kit",
                        summary="Blog announcement, email, in-app copy and six social posts.",
                        price_amount=48000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Launch plus follow-up",
                        summary=(
                            "Launch kit, follow-up email, changelog entry and a sales one-pager."
                        ),
                        price_amount=78000,
                        delivery_days=8,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="samira-qureshi-writes",
        display_name="Samira Qureshi",
        headline="SEO blog writer for fintech, ecommerce and B2B tech",
        bio=(
            "I write long-form articles that rank without sounding like they were written for "
            "a search engine. Before freelancing I worked on the content team at a Karachi "
            "payments startup, so I'm comfortable explaining interchange fees, checkout flows "
            "and API pricing in plain English. I research with real sources, cite them, and "
            "write every draft myself rather than generating it."
        ),
        skills=("SEO writing", "Blog articles", "Fintech content", "Keyword research", "Editing"),
        level="level_1",
        country="PK",
        rating=4.6,
        review_count=41,
        gigs=(
            DemoGig(
                title="I will write an in-depth SEO blog post that reads like a human wrote it",
                description=(
                    "Send me a target keyword or a topic and describe your audience. I review "
                    "the current top results, find the gaps they leave, and outline an "
                    "article that answers the question better. You approve the outline before "
                    "I write a single paragraph.\n\n"
                    "Each post includes an SEO title, meta description, H2 and H3 structure, "
                    "internal link suggestions and cited sources. I deliver in Google Docs "
                    "with suggestion mode on so your edits are easy to track. Images are not "
                    "included, but I note where a chart or screenshot would help."
                ),
                category="copywriting",
                tags=("seo blog post", "blog writing", "content writing", "article writer"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="1,000 words",
                        summary="One researched 1,000-word article with meta data.",
                        price_amount=6000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="2,000 words",
                        summary="One 2,000-word article with outline approval and sources.",
                        price_amount=11000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Four articles",
                        summary="Four 1,500-word articles on a single topic cluster.",
                        price_amount=36000,
                        delivery_days=14,
                        revisions=2,
                    ),
                ),
            ),
            DemoGig(
                title="Product descriptions for your online store that actually sell",
                description=(
                    "Manufacturer descriptions are copied by every other shop selling the "
                    "same item. I write unique, benefit-led descriptions in your brand voice, "
                    "structured for skimmers: a short hook, scannable bullets and the details "
                    "buyers check before purchasing, such as sizes, materials and care.\n\n"
                    "Send a spreadsheet with product names, specs and any existing copy. I "
                    "return the same spreadsheet with new columns for title, description, "
                    "bullets and meta description, ready to import into your store platform. "
                    "Bulk orders get a short style guide so later products match."
                ),
                category="copywriting",
                tags=(
                    "product descriptions",
                    "ecommerce copy",
                    "shopify copy",
                    "store copywriting",
                ),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Ten products",
                        summary="Ten product descriptions with bullets, about 120 words each.",
                        price_amount=5000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Thirty products",
                        summary="Thirty descriptions plus SEO titles and meta text.",
                        price_amount=13500,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Eighty products",
                        summary="Eighty descriptions with a written brand voice guide.",
                        price_amount=32000,
                        delivery_days=12,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="hazel-brennan-draws",
        display_name="Hazel Brennan",
        headline="Editorial and picture book illustrator with a soft watercolour style",
        bio=(
            "I illustrate picture books, magazine features and the occasional wine label from "
            "a small studio in Galway. My work mixes real watercolour texture with digital "
            "linework in Procreate and Photoshop, which gives it a handmade feel that still "
            "prints cleanly. I've illustrated eleven self-published children's books and I "
            "work to a printer's trim, bleed and gutter requirements from day one."
        ),
        skills=(
            "Picture book illustration",
            "Watercolour",
            "Editorial illustration",
            "Procreate",
            "Adobe Photoshop",
        ),
        level="level_2",
        country="IE",
        rating=4.9,
        review_count=121,
        gigs=(
            DemoGig(
                title="I will illustrate your children's picture book in warm watercolour",
                description=(
                    "Picture books are a partnership between words and pictures, so I read "
                    "your manuscript first and suggest page breaks and spread layouts before "
                    "drawing. You approve a thumbnail storyboard for the whole book, then "
                    "rough sketches, then final colour, page by page.\n\n"
                    "Tell me your trim size and printer, or I can recommend common sizes for "
                    "print-on-demand. Finals are 300 DPI CMYK TIFFs with bleed, plus RGB JPGs "
                    "for ebook versions. I leave clear space for text and can typeset it for "
                    "you in the premium package.\n\n"
                    "Prices are per illustrated spread, with bundles below."
                ),
                category="illustration",
                tags=("childrens book", "picture book", "watercolour", "book illustration"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Single spread",
                        summary="One full-colour spread with one sketch revision.",
                        price_amount=18000,
                        delivery_days=7,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Four spreads",
                        summary="Four spreads with storyboard and character sketches.",
                        price_amount=65000,
                        delivery_days=14,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Twelve spreads",
                        summary="Twelve spreads, cover illustration and typesetting for print.",
                        price_amount=190000,
                        delivery_days=30,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Editorial illustration for articles, newsletters and reports",
                description=(
                    "A good editorial illustration makes a reader stop scrolling and think "
                    "about the idea, not just the topic. Send me your article or a summary "
                    "and I'll pitch three visual concepts as quick thumbnails, each with a "
                    "one-line explanation of the metaphor.\n\n"
                    "Once you choose, I deliver a finished piece sized for your layout: "
                    "header, square social crop and a vertical version for stories. "
                    "Turnaround is fast for newsroom deadlines if you book ahead. Files are "
                    "PNG and JPG in RGB, with a layered PSD on request."
                ),
                category="illustration",
                tags=(
                    "editorial illustration",
                    "article header",
                    "newsletter art",
                    "conceptual art",
                ),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Spot illustration",
                        summary="A small spot illustration in one crop.",
                        price_amount=9000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Header illustration",
                        summary="Header image with three concepts and two crops.",
                        price_amount=22000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Feature set",
                        summary="Header plus three spot illustrations for a long read.",
                        price_amount=48000,
                        delivery_days=7,
                        revisions=2,
                    ),
                ),
            ),
            DemoGig(
                title="Custom illustrated map of your town, venue or wedding",
                description=(
                    "Illustrated maps make lovely wedding invitations, campus guides, "
                    "festival programmes and holiday-let welcome books. I draw the places "
                    "that matter to you, with hand-lettered labels and little details locals "
                    "will recognise, like the chip shop on the corner or the dog that sits "
                    "outside the post office.\n\n"
                    "Send a rough list of landmarks, a screenshot of the area from any map "
                    "service and photos of key buildings. I sketch the layout first, then "
                    "paint it. You receive a print-ready PDF at your chosen size and a "
                    "web-friendly JPG."
                ),
                category="illustration",
                tags=("illustrated map", "wedding map", "hand lettering", "custom map"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Simple map",
                        summary="Up to 6 landmarks at A5 size.",
                        price_amount=12000,
                        delivery_days=6,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Detailed map",
                        summary="Up to 15 landmarks at A3 with a decorative border.",
                        price_amount=28000,
                        delivery_days=10,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Poster map",
                        summary="Up to 30 landmarks at A2, plus an A5 invitation crop.",
                        price_amount=52000,
                        delivery_days=16,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="tomasz-wilk-edits",
        display_name="Tomasz Wilk",
        headline="YouTube and documentary editor: pacing, story and clean colour",
        bio=(
            "I've edited over 400 YouTube videos, from tech reviews to hour-long history "
            "documentaries, and before that I cut wedding films in Krakow for five years. I "
            "work in Premiere Pro and DaVinci Resolve, grade in Resolve, and keep projects "
            "organised so another editor could pick them up tomorrow. I care most about "
            "pacing: knowing what to cut matters more than knowing which transition to add."
        ),
        skills=(
            "YouTube editing",
            "Documentary editing",
            "Premiere Pro",
            "DaVinci Resolve",
            "Color grading",
        ),
        level="level_2",
        country="PL",
        rating=4.8,
        review_count=196,
        gigs=(
            DemoGig(
                title="I will edit your YouTube video with tight pacing and clean graphics",
                description=(
                    "Upload your raw footage to a shared drive, plus any b-roll, music and a "
                    "rough outline. I cut dead air and retakes, tighten the story, add "
                    "b-roll, zooms, lower thirds and simple motion graphics, and balance your "
                    "audio so dialogue sits clearly over music.\n\n"
                    "You get a first cut within the delivery time, then revisions based on "
                    "your timestamped notes. Final export is 4K or 1080p H.264, plus a clean "
                    "version without burned-in captions if you want one. I use music from "
                    "your own library or a royalty-free source you choose.\n\n"
                    "Prices are per video, based on finished length."
                ),
                category="video-editing",
                tags=("youtube editing", "video editing", "premiere pro", "youtube video"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Up to 8 minutes",
                        summary="Up to 60 minutes of raw footage cut into an 8-minute video.",
                        price_amount=6000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Up to 15 minutes",
                        summary="Up to 2 hours of raw footage, motion graphics and captions.",
                        price_amount=14000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Up to 30 minutes",
                        summary=(
                            "Up to 4 hours of footage, grade, graphics and a vertical cut-down."
                        ),
                        price_amount=30000,
                        delivery_days=6,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Documentary and interview editing with real story structure",
                description=(
                    "Long-form interviews hide a great story under hours of talk. I log your "
                    "transcripts, build a paper edit you can approve in a shared doc, then "
                    "cut the film around the strongest moments, layering archive, b-roll and "
                    "music to carry the emotional arc.\n\n"
                    "Send footage, transcripts if you have them, and any archive material "
                    "with usage rights. I deliver a locked cut, colour graded in DaVinci "
                    "Resolve, with an audio mix suitable for online platforms and an XML or "
                    "AAF export for your sound designer if you have one."
                ),
                category="video-editing",
                tags=("documentary editing", "interview edit", "davinci resolve", "storytelling"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Short doc",
                        summary="Paper edit and cut of up to 10 finished minutes.",
                        price_amount=30000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Mid-length",
                        summary="Up to 25 finished minutes with colour grade and mix.",
                        price_amount=75000,
                        delivery_days=14,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Long-form",
                        summary="Up to 50 finished minutes, grade, mix and delivery masters.",
                        price_amount=160000,
                        delivery_days=28,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Colour grading for music videos, short films and brand films",
                description=(
                    "Already have a locked edit? I'll give it a consistent, intentional look "
                    "in DaVinci Resolve: balanced skin tones, matched shots across cameras "
                    "and a grade that supports the mood, whether that's warm and filmic or "
                    "cold and clinical.\n\n"
                    "Send your XML or EDL with the original camera files, not compressed "
                    "proxies, plus two or three reference stills. I deliver a graded master "
                    "in ProRes 422 HQ or H.264 and a before-and-after sheet of key frames. "
                    "LOG footage from mirrorless and cinema cameras is welcome."
                ),
                category="video-editing",
                tags=("color grading", "music video", "davinci resolve", "film look"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Up to 3 minutes",
                        summary="Grade for up to 3 minutes across two cameras.",
                        price_amount=9000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Up to 10 minutes",
                        summary="Grade up to 10 minutes, shot matching and look development.",
                        price_amount=22000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Up to 30 minutes",
                        summary="Grade up to 30 minutes with two alternate looks to compare.",
                        price_amount=48000,
                        delivery_days=8,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="reelhouse-edits",
        display_name="Reelhouse Edits",
        headline="Short-form video team for Reels, TikTok and YouTube Shorts",
        bio=(
            "Reelhouse is a two-editor team in Montreal that lives in vertical video. We turn "
            "podcasts, webinars and long YouTube videos into short clips with animated "
            "captions, punchy hooks and clean cuts. We also generate AI b-roll when stock "
            "footage doesn't fit. We work in Premiere Pro and After Effects and can deliver "
            "on a weekly schedule if you want a steady content pipeline."
        ),
        skills=(
            "Short-form video",
            "Captions",
            "Premiere Pro",
            "After Effects",
            "Content repurposing",
        ),
        level="level_1",
        country="CA",
        rating=4.5,
        review_count=64,
        gigs=(
            DemoGig(
                title="We will turn your podcast or webinar into vertical short clips",
                description=(
                    "Send a link to your full episode or recording. We watch it, pick the "
                    "moments most likely to stop a scroll, and cut each one into a 20 to 60 "
                    "second vertical clip with a strong opening line, animated captions and a "
                    "consistent branded frame.\n\n"
                    "Each clip is exported at 1080 by 1920 with captions burned in, plus an "
                    "SRT file and a suggested post caption. If your video is landscape, we "
                    "reframe speakers and check every shot by hand so nobody ends up half out "
                    "of frame. Fonts and colours follow your brand kit."
                ),
                category="video-editing",
                tags=("short form video", "tiktok editing", "reels", "podcast clips"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Three clips",
                        summary="Three vertical clips with animated captions.",
                        price_amount=4500,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Eight clips",
                        summary="Eight clips, branded template and post captions.",
                        price_amount=11000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Fifteen clips",
                        summary="Fifteen clips, two hook variants each and cover frames.",
                        price_amount=20000,
                        delivery_days=5,
                        revisions=2,
                    ),
                ),
            ),
            DemoGig(
                title="Animated captions and subtitles for your videos",
                description=(
                    "Most social video is watched on mute, so captions are not optional. We "
                    "transcribe your video, correct the transcript by hand, and style "
                    "captions to match your brand, from simple clean subtitles to "
                    "word-by-word animated captions with emphasis colours and highlight "
                    "boxes.\n\n"
                    "We deliver the captioned video plus SRT and VTT files for video "
                    "platforms and course sites. Translations into French and Spanish are "
                    "available in the premium tier, reviewed by native speakers on our team."
                ),
                category="video-editing",
                tags=("captions", "subtitles", "srt file", "animated captions"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Up to 5 minutes",
                        summary="Clean subtitles for up to 5 minutes with SRT file.",
                        price_amount=2500,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Up to 20 minutes",
                        summary="Styled captions for up to 20 minutes, SRT and VTT.",
                        price_amount=7000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Captions plus translation",
                        summary="Up to 20 minutes with French and Spanish subtitle files.",
                        price_amount=15000,
                        delivery_days=5,
                        revisions=2,
                    ),
                ),
            ),
            DemoGig(
                title="AI-generated b-roll and scene shots to fill gaps in your edit",
                description=(
                    "Missing a shot? Instead of settling for generic stock, we generate short "
                    "custom clips that match your video's style: a city at dawn, a product on "
                    "a moody table, an abstract data visual. We describe each shot in detail, "
                    "generate several takes, and upscale the best.\n\n"
                    "Send us your edit or a shot list with timecodes and a style reference. "
                    "Clips are delivered as 1080p or 4K ProRes or MP4, graded to sit with "
                    "your footage. We avoid recognisable people and trademarks, and we'll "
                    "tell you honestly when a real shoot or stock clip would look better."
                ),
                category="ai-video-creation",
                tags=("ai b-roll", "ai video", "generated footage", "stock alternative"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Three shots",
                        summary="Three AI-generated clips, 4 to 6 seconds each.",
                        price_amount=6000,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Eight shots",
                        summary="Eight clips graded to match your footage.",
                        price_amount=14000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Twenty shots",
                        summary="Twenty clips upscaled to 4K, with alternates.",
                        price_amount=30000,
                        delivery_days=7,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="devon-ships",
        display_name="Devon Achterberg",
        headline="Senior full-stack developer: Django, Next.js and fast, accessible sites",
        bio=(
            "I've been building for the web since 2009, mostly Python on the backend and "
            "TypeScript on the front. These days I help small teams ship: a marketing site "
            "that loads in under a second, a Django app that has outgrown its first "
            "developer, or a prototype turned into something you can put real customers on. I "
            "write tests, leave documentation and hand over repositories you actually own."
        ),
        skills=(
            "Django",
            "Next.js",
            "TypeScript",
            "PostgreSQL",
            "Accessibility",
            "Performance tuning",
        ),
        level="pro",
        country="NL",
        rating=5.0,
        review_count=356,
        gigs=(
            DemoGig(
                title="I will build a fast, accessible marketing website with Next.js",
                description=(
                    "You provide the design in Figma, or I can work from a well-made template "
                    "you pick. I build it in Next.js with a headless CMS of your choice so "
                    "your team can edit pages without touching code, and deploy it to your "
                    "own hosting account.\n\n"
                    "Every site I ship scores 90 or above for mobile performance and "
                    "accessibility in Lighthouse, uses semantic HTML, and works with a "
                    "keyboard and a screen reader. You also get basic analytics, a sitemap, "
                    "Open Graph tags and a short recorded walkthrough of the CMS.\n\n"
                    "Copy and images must be ready before development starts."
                ),
                category="web-development",
                tags=("nextjs", "website development", "landing page", "accessibility"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Landing page",
                        summary="One responsive page from your Figma design, deployed.",
                        price_amount=45000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Five-page site",
                        summary="Up to five pages with CMS, SEO basics and analytics.",
                        price_amount=150000,
                        delivery_days=12,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full site",
                        summary="Up to twelve pages, CMS, blog, forms and a performance audit.",
                        price_amount=320000,
                        delivery_days=21,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="Django backend development, APIs and maintenance",
                description=(
                    "I build and maintain Django applications: REST or GraphQL APIs, admin "
                    "customisation, background jobs with Celery, payments and multi-tenant "
                    "setups. If you have an existing codebase, I start with a paid audit so "
                    "we both understand what's there before estimating new work.\n\n"
                    "Work happens in your Git repository through small pull requests with "
                    "tests and clear descriptions. I use PostgreSQL, pytest and type hints "
                    "throughout, and document setup steps so a new developer can run the "
                    "project locally in under fifteen minutes. Hourly blocks are available "
                    "for ongoing maintenance."
                ),
                category="web-development",
                tags=("django", "python developer", "rest api", "backend"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Code audit",
                        summary="Review of your Django project with a prioritised written report.",
                        price_amount=30000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Feature build",
                        summary="One scoped feature or API module with tests, up to 20 hours.",
                        price_amount=160000,
                        delivery_days=10,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Two-week sprint",
                        summary="Up to 60 hours of development with daily written updates.",
                        price_amount=420000,
                        delivery_days=14,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Website speed and Core Web Vitals optimization",
                description=(
                    "Slow pages lose visitors and rankings. I profile your site on real "
                    "mobile devices and throttled connections, then fix what matters: "
                    "oversized images, render-blocking scripts, layout shift from "
                    "late-loading fonts and ads, and slow server responses.\n\n"
                    "You receive a before-and-after report with field and lab metrics, a list "
                    "of every change I made, and recommendations for anything I couldn't "
                    "change without deeper work. I work on WordPress, Next.js, Django "
                    "templates and static sites. Please provide staging access; I never "
                    "experiment on production."
                ),
                category="web-development",
                tags=("page speed", "core web vitals", "performance", "website optimization"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Audit",
                        summary="Performance audit with prioritised fixes for one site.",
                        price_amount=15000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Audit and fixes",
                        summary="Audit plus fixes implemented on up to five templates.",
                        price_amount=45000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Deep optimization",
                        summary="Full-site fixes, server tuning and a 30-day follow-up check.",
                        price_amount=95000,
                        delivery_days=10,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="From vibe-coded prototype to production-ready app",
                description=(
                    "You built something impressive with an AI coding assistant over a few "
                    "weekends, and now real users are signing up. I review the generated "
                    "code, find security holes such as exposed keys and missing authorisation "
                    "checks, and set up the boring essentials: tests, error tracking, backups "
                    "and a proper deployment pipeline.\n\n"
                    "I don't throw away your work. I refactor gradually, keep the app "
                    "running, and explain each change so you can keep prompting confidently "
                    "afterwards. Stacks I see most often are Next.js with Supabase, Python "
                    "with FastAPI, and SQLite apps that have outgrown SQLite."
                ),
                category="vibe-coding",
                tags=("vibe coding", "code review", "ai generated code", "production ready"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Security review",
                        summary="Review of your repository with a prioritised fix list.",
                        price_amount=25000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Hardening",
                        summary="Review plus fixes for auth, secrets, validation and backups.",
                        price_amount=90000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Production launch",
                        summary="Hardening, tests, CI/CD, monitoring and a handover session.",
                        price_amount=240000,
                        delivery_days=14,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="amara-nwosu-dev",
        display_name="Amara Nwosu",
        headline="Full-stack developer for web apps, dashboards and Shopify builds",
        bio=(
            "I'm a Nairobi-based developer who has spent six years building web apps for "
            "small businesses, NGOs and startups. My usual stack is React with TypeScript on "
            "the front end and Node or Python on the back, and I've built a fair number of "
            "Shopify themes along the way. I explain trade-offs in plain language, send a "
            "written update every two days, and document everything I build."
        ),
        skills=("React", "TypeScript", "Node.js", "Shopify", "Firebase", "Cursor"),
        level="level_2",
        country="KE",
        rating=4.8,
        review_count=142,
        gigs=(
            DemoGig(
                title="I will build a custom admin dashboard for your business data",
                description=(
                    "Spreadsheets stop working once several people edit them at once. I build "
                    "simple, secure dashboards where your team can log in, view and edit "
                    "records, filter reports and export CSVs, connected to your existing "
                    "database or a new one I set up.\n\n"
                    "Tell me the data you track, who needs access and what decisions the "
                    "dashboard should support. I sketch screens first for your approval, then "
                    "build with React and a Node or Python API. You get the source code, "
                    "deployment on your cloud account and a short admin guide."
                ),
                category="web-development",
                tags=("admin dashboard", "react", "web app", "internal tool"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Single view",
                        summary="One data table view with login and CSV export.",
                        price_amount=35000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Core dashboard",
                        summary="Up to five screens, roles, filters and charts.",
                        price_amount=110000,
                        delivery_days=14,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full internal tool",
                        summary="Up to twelve screens, audit log, integrations and training.",
                        price_amount=260000,
                        delivery_days=25,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="Shopify theme customization and custom sections",
                description=(
                    "Need your store to do something the theme doesn't? I build custom "
                    "Shopify sections and blocks your team can rearrange in the theme editor: "
                    "size guides, bundle builders, comparison tables, countdown banners and "
                    "more. No bloated apps where a few lines of Liquid will do.\n\n"
                    "I work on a duplicate theme so your live store is never at risk, test on "
                    "mobile and desktop, and hand over clean, commented code. Please send a "
                    "collaborator access request and a short video or sketch of what you want "
                    "to achieve."
                ),
                category="web-development",
                tags=("shopify", "shopify theme", "liquid", "ecommerce development"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="One section",
                        summary="One custom section with theme editor settings.",
                        price_amount=9000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Three sections",
                        summary="Three custom sections plus a speed check of the theme.",
                        price_amount=24000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Theme overhaul",
                        summary="Up to eight sections, cart tweaks and app cleanup.",
                        price_amount=60000,
                        delivery_days=12,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Live pairing sessions to vibe-code your MVP with Cursor",
                description=(
                    "You have the idea and maybe a first attempt, but the AI keeps going in "
                    "circles. Book live sessions where we build together on a shared screen: "
                    "I steer the prompts, break the feature into small steps, read the "
                    "generated code with you and fix what the model gets wrong.\n\n"
                    "By the end you will have working features and a better sense of how to "
                    "guide an AI coding tool yourself. Before the first session, send a short "
                    "description of the app, the stack if you have one, and access to the "
                    "repository. Sessions can be recorded for you."
                ),
                category="vibe-coding",
                tags=("vibe coding", "cursor", "mvp", "pair programming"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="One session",
                        summary="One 90-minute live build session with written notes.",
                        price_amount=9000,
                        delivery_days=2,
                        revisions=0,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Three sessions",
                        summary="Three sessions and a written roadmap for next steps.",
                        price_amount=25000,
                        delivery_days=7,
                        revisions=0,
                    ),
                    DemoPackage(
                        name="premium",
                        title="MVP sprint",
                        summary="Six sessions plus offline work to finish and deploy your MVP.",
                        price_amount=60000,
                        delivery_days=14,
                        revisions=1,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="lin-zhaowei-agents",
        display_name="Lin Zhaowei",
        headline="AI agent engineer: LangGraph, tool calling and evals for production",
        bio=(
            "I build AI agents that do real work inside companies: triaging support tickets, "
            "reconciling invoices, researching leads and drafting replies for human review. "
            "Before this I was a backend engineer at a Singapore logistics firm, which made "
            "me allergic to systems nobody can debug. Every agent I deliver comes with "
            "tracing, an evaluation set and clear limits on what it may do without a human."
        ),
        skills=("LangGraph", "Python", "LLM evaluation", "Tool calling", "RAG", "FastAPI"),
        level="top_rated",
        country="SG",
        rating=4.9,
        review_count=233,
        gigs=(
            DemoGig(
                title="I will build a custom AI agent with LangGraph that uses your tools",
                description=(
                    "Describe the workflow you want to automate, the systems involved and "
                    "where a human must approve. I design the agent as an explicit LangGraph "
                    "state machine rather than one giant prompt, so each step can be tested, "
                    "retried and inspected when something goes wrong.\n\n"
                    "The agent calls your APIs through typed tools, keeps memory where it's "
                    "useful, and escalates to a person when confidence is low. Delivery "
                    "includes the Python source, a FastAPI service wrapper, a Docker setup, "
                    "tracing, and an evaluation suite of at least 30 realistic test cases you "
                    "can rerun after any change.\n\n"
                    "You provide credentials for a sandbox environment and sample data."
                ),
                category="ai-agent-development",
                tags=("ai agent", "langgraph", "llm", "automation", "tool calling"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Proof of concept",
                        summary="Single-workflow agent with two tools and a demo notebook.",
                        price_amount=60000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Production agent",
                        summary="Agent with up to six tools, API service, tracing and evals.",
                        price_amount=180000,
                        delivery_days=14,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Multi-agent system",
                        summary="Cooperating agents, a human approval UI and deployment.",
                        price_amount=300000,
                        delivery_days=28,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="RAG assistant over your documents, with citations and evals",
                description=(
                    "Your team keeps asking questions that are answered somewhere in a wiki, "
                    "a PDF or an old ticket. I build a retrieval-augmented assistant that "
                    "answers from your own documents and shows exactly which passage each "
                    "answer came from, so people can check it.\n\n"
                    "I handle ingestion for PDF, Markdown, HTML and common office formats, "
                    "chunking tuned to your content, hybrid search and re-ranking. You get a "
                    "measured baseline: accuracy and citation correctness on a question set "
                    "we build together, plus the config to rerun it whenever your documents "
                    "change."
                ),
                category="ai-agent-development",
                tags=("rag", "chatbot", "knowledge base", "document search"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Pilot",
                        summary="Assistant over up to 200 documents with a simple chat UI.",
                        price_amount=45000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Team assistant",
                        summary="Up to 5,000 documents, citations, evals and chat integration.",
                        price_amount=140000,
                        delivery_days=12,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Access-controlled",
                        summary="Per-document permissions, sync jobs, dashboards and handover.",
                        price_amount=280000,
                        delivery_days=21,
                        revisions=4,
                    ),
                ),
            ),
            DemoGig(
                title="Audit and fix your unreliable LLM agent",
                description=(
                    "Your agent demos well but misbehaves in production: loops, wrong tool "
                    "calls, invented arguments, costs creeping up. I review your prompts, "
                    "tool schemas, traces and failure cases, then reproduce the worst "
                    "problems in a test harness.\n\n"
                    "You receive a written audit ranking issues by impact, concrete fixes "
                    "with code changes, and an evaluation set that catches regressions. "
                    "Typical wins include tighter tool descriptions, structured outputs, "
                    "smaller models for routing and caching. I work with LangGraph, plain "
                    "provider SDK code and custom frameworks."
                ),
                category="ai-agent-development",
                tags=("agent debugging", "llm evaluation", "prompt engineering", "ai agent"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Trace review",
                        summary="Review of 50 failing traces with a written diagnosis.",
                        price_amount=25000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Audit and fixes",
                        summary="Full audit, top five fixes implemented and an eval set.",
                        price_amount=90000,
                        delivery_days=8,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Reliability program",
                        summary="Audit, fixes, cost optimisation and regression CI.",
                        price_amount=220000,
                        delivery_days=15,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="graphwright",
        display_name="Rafael Dominguez",
        headline="Python automation and AI workflows for operations teams",
        bio=(
            "I'm an engineer in Guadalajara who spent years automating back-office work with "
            "scripts and cron jobs, and now does the same with language models in the loop. I "
            "build agents that read emails, fill forms, update CRMs and write summaries, and "
            "I fine-tune small models when a prompt isn't enough. I work with clients in "
            "English and Spanish and can document everything in both."
        ),
        skills=("Python", "LLM agents", "Workflow automation", "n8n", "Fine-tuning", "PostgreSQL"),
        level="level_2",
        country="MX",
        rating=4.7,
        review_count=88,
        gigs=(
            DemoGig(
                title="AI email triage agent that sorts, drafts and routes your inbox",
                description=(
                    "If your shared inbox gets hundreds of messages a day, an agent can read "
                    "each one, label it, pull out order numbers or dates, draft a reply from "
                    "your templates and route it to the right person. Nothing is sent without "
                    "approval unless you explicitly allow it for a category.\n\n"
                    "I connect to your mail provider through its official API, use a model "
                    "you choose, and log every decision for review. You receive the code, "
                    "deployment on your server or a small cloud instance, and a dashboard "
                    "showing volume, categories and how often humans changed the draft."
                ),
                category="ai-agent-development",
                tags=("email automation", "ai agent", "inbox triage", "customer support"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Classifier",
                        summary="Labels and routes emails into up to six categories.",
                        price_amount=35000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Triage and drafts",
                        summary="Classification, data extraction and draft replies for review.",
                        price_amount=95000,
                        delivery_days=12,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full support agent",
                        summary="Drafts, CRM updates, dashboard and bilingual support.",
                        price_amount=180000,
                        delivery_days=20,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="n8n or Python workflow with an LLM step for your operations",
                description=(
                    "Not every automation needs a full agent. Often the best solution is a "
                    "plain workflow with one smart step: summarise this call transcript, "
                    "extract fields from this invoice, classify this lead. I build those in "
                    "n8n for teams who want to see and edit the flow, or in Python when "
                    "reliability and testing matter more.\n\n"
                    "Send me a description of the process, examples of inputs and the output "
                    "you expect. I'll suggest where an LLM helps and where a simple rule is "
                    "cheaper and safer. Delivery includes the workflow, error notifications "
                    "and a short video explaining how to change it."
                ),
                category="ai-agent-development",
                tags=("n8n", "workflow automation", "llm", "python automation"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Single workflow",
                        summary="One workflow with up to three steps and one LLM call.",
                        price_amount=25000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Connected workflow",
                        summary="Up to ten steps, two integrations and error alerts.",
                        price_amount=60000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Operations suite",
                        summary="Three related workflows with shared logging and docs.",
                        price_amount=140000,
                        delivery_days=14,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Fine-tune a small open model to extract data from your documents",
                description=(
                    "If you process thousands of similar documents such as invoices, lab "
                    "reports or shipping forms, a small fine-tuned model can beat a large "
                    "general one on accuracy, speed and cost. I help you label a few hundred "
                    "examples, fine-tune with LoRA, and compare the result against your "
                    "current approach.\n\n"
                    "You provide sample documents and the fields you need. I deliver the "
                    "trained adapter weights, a training notebook you can rerun, an "
                    "evaluation report with per-field accuracy, and a minimal inference "
                    "server. Your data stays on your infrastructure or a cloud GPU account "
                    "you control."
                ),
                category="ai-model-training",
                tags=("fine-tuning", "lora", "document extraction", "open source llm"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Feasibility test",
                        summary="Baseline evaluation on 100 of your documents.",
                        price_amount=30000,
                        delivery_days=5,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Fine-tuned model",
                        summary="LoRA fine-tune, evaluation report and inference script.",
                        price_amount=110000,
                        delivery_days=14,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Production model",
                        summary="Fine-tune, labelling tool, inference API and retraining guide.",
                        price_amount=240000,
                        delivery_days=25,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="ada-lindqvist-ai",
        display_name="Ada Lindqvist",
        headline="Junior AI engineer building simple, well-tested assistants",
        bio=(
            "I finished a master's in computational linguistics in Uppsala last year and have "
            "been building LLM tools for university research groups since. I'm new here, so I "
            "keep scope small and honest: one assistant, one clear job, done properly. I "
            "write in Python, test with pytest, and explain in plain language what the model "
            "can and can't be trusted to do."
        ),
        skills=("Python", "LLM APIs", "Prompt design", "Pytest", "Streamlit"),
        level="new",
        country="SE",
        rating=0.0,
        review_count=0,
        gigs=(
            DemoGig(
                title="A simple AI assistant for one repetitive task in your workflow",
                description=(
                    "Think of a repetitive task that involves reading and writing: "
                    "summarising meeting notes into action items, turning support chats into "
                    "bug reports, drafting first replies to common questions. I build a small "
                    "assistant that does exactly that, with a simple Streamlit interface or a "
                    "command-line tool.\n\n"
                    "You send ten to twenty real examples of input and the output you'd want. "
                    "I build the assistant, test it against those examples and report where "
                    "it fails. You get clean Python code, a README and a list of prompts you "
                    "can tweak yourself."
                ),
                category="ai-agent-development",
                tags=("ai assistant", "llm app", "streamlit", "python"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Prototype",
                        summary="Working script for one task, tested on your examples.",
                        price_amount=25000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="With interface",
                        summary="Prototype plus a Streamlit app and a test report.",
                        price_amount=50000,
                        delivery_days=8,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="frameforge-ai",
        display_name="Priya Raman",
        headline="AI video creator for product ads, explainers and music visuals",
        bio=(
            "I'm a motion designer from Pune who moved from After Effects keyframes to AI "
            "video generation two years ago and never fully went back. I combine generated "
            "shots with real typography, proper sound design and careful editing, so the "
            "result feels directed rather than random. I'm upfront about what current tools "
            "do badly, like hands, text in frame and long continuous shots, and I plan around "
            "it."
        ),
        skills=(
            "AI video generation",
            "Motion design",
            "After Effects",
            "Prompt writing",
            "Sound design",
        ),
        level="level_1",
        country="IN",
        rating=4.6,
        review_count=47,
        gigs=(
            DemoGig(
                title="I will create a 30-second AI product ad with voice-over and music",
                description=(
                    "Send photos of your product from several angles, your key message and "
                    "the audience. I write a short script and shot list for your approval, "
                    "then generate scenes around your real product images, so the item itself "
                    "stays accurate while the setting changes from kitchen counter to "
                    "mountain trail.\n\n"
                    "The final cut includes licensed music, an AI or human voice-over of your "
                    "choice, sound effects and animated text. Delivery in 16:9, 9:16 and 1:1 "
                    "at 1080p. Generated scenes can take many attempts; I only show you takes "
                    "I'd be happy to post myself."
                ),
                category="ai-video-creation",
                tags=("ai video ad", "product video", "ai commercial", "social ads"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="15-second ad",
                        summary="One 15-second vertical ad with music and captions.",
                        price_amount=9000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="30-second ad",
                        summary="30-second ad in three aspect ratios with voice-over.",
                        price_amount=22000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Ad campaign",
                        summary="Three 30-second ads with different hooks, all formats.",
                        price_amount=55000,
                        delivery_days=10,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="AI music visualizer or lyric video for your track",
                description=(
                    "Independent musicians need visuals for streaming canvases, premieres and "
                    "social teasers. I create a flowing AI-generated video that follows your "
                    "song's mood and structure, with cuts timed to the beat and a visual "
                    "shift when the chorus drops.\n\n"
                    "Send the WAV or MP3, lyrics if you want a lyric video, and a few "
                    "reference images for colour and atmosphere. I deliver a full-length "
                    "1080p video plus a looping 8-second vertical clip. You keep full usage "
                    "rights for promoting the track."
                ),
                category="ai-video-creation",
                tags=("music visualizer", "lyric video", "ai music video", "canvas loop"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Canvas loop",
                        summary="One 8-second looping vertical clip.",
                        price_amount=4000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Full visualizer",
                        summary="Full-length visualizer synced to the beat.",
                        price_amount=15000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Lyric video plus loops",
                        summary="Full lyric video, visualizer cut and three loops.",
                        price_amount=32000,
                        delivery_days=9,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Animated explainer video made with AI and motion graphics",
                description=(
                    "Explaining a software product or a service process? I combine "
                    "AI-generated illustrations and scenes with clean motion graphics built "
                    "in After Effects, so diagrams stay precise while backgrounds and "
                    "characters look rich without a full animation budget.\n\n"
                    "The process: you share your pitch or product notes, I write a script of "
                    "around 150 words per minute of video, we agree a storyboard of still "
                    "frames, and then I animate. Voice-over, music and captions are included. "
                    "Delivery is 1080p MP4 plus the storyboard PDF."
                ),
                category="ai-video-creation",
                tags=("explainer video", "ai animation", "motion graphics", "saas video"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="30 seconds",
                        summary="30-second explainer with script and storyboard.",
                        price_amount=15000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="60 seconds",
                        summary="60-second explainer with voice-over and music.",
                        price_amount=32000,
                        delivery_days=9,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="90 seconds",
                        summary="90-second explainer, two cut-downs and source files.",
                        price_amount=55000,
                        delivery_days=14,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="synthreel",
        display_name="Jonas Berg",
        headline="Generative video and ComfyUI experiments, now taking first clients",
        bio=(
            "I'm a 3D generalist from Bergen who spent the last year building generative "
            "video pipelines for my own short films. I know ComfyUI inside out, from motion "
            "modules to image-to-video and upscaling chains, and I'm ready to put it to work "
            "for other people. As a new seller I'm offering lower prices while I build up "
            "reviews, with the same care I give my own films."
        ),
        skills=("ComfyUI", "AI video", "Blender", "Stable Diffusion", "Upscaling"),
        level="new",
        country="NO",
        rating=0.0,
        review_count=0,
        gigs=(
            DemoGig(
                title="I will turn your still images into short looping AI animations",
                description=(
                    "Got product photos, concept art or album covers that would look better "
                    "moving? I animate stills into short clips with gentle camera moves, "
                    "drifting particles, flowing water or hair, while keeping the original "
                    "composition recognisable.\n\n"
                    "Send high-resolution images and a sentence on the motion you imagine. I "
                    "run image-to-video in my own ComfyUI setup, pick the cleanest "
                    "generation, fix flicker frame by frame where needed and upscale. You get "
                    "an MP4 and a seamless loop version at up to 4K."
                ),
                category="ai-video-creation",
                tags=("image to video", "ai animation", "looping video", "animated art"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="One image",
                        summary="One animated still, 4 seconds, looping MP4.",
                        price_amount=2500,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Five images",
                        summary="Five animated stills up to 6 seconds each.",
                        price_amount=10000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Ten images in 4K",
                        summary="Ten animations upscaled to 4K with loop versions.",
                        price_amount=18000,
                        delivery_days=6,
                        revisions=2,
                    ),
                ),
            ),
            DemoGig(
                title="Custom ComfyUI workflow for your image or video idea",
                description=(
                    "Describe what you want to generate and I will build a ComfyUI workflow "
                    "that does it repeatably: consistent style, controlled poses, upscaling "
                    "and batch output. I prefer clean, grouped graphs with labelled nodes so "
                    "you can understand and modify them later.\n\n"
                    "Tell me your GPU and how much VRAM it has so I can design around it. You "
                    "receive the workflow JSON, a list of required custom nodes and models "
                    "with download instructions, and example outputs. Every workflow is "
                    "tested on a clean install before delivery."
                ),
                category="comfyui-workflows",
                tags=("comfyui", "comfyui workflow", "stable diffusion", "ai image"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Simple workflow",
                        summary="One text-to-image or image-to-image workflow.",
                        price_amount=3000,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Controlled workflow",
                        summary="Workflow with ControlNet, LoRA loading and upscaling.",
                        price_amount=7500,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Video workflow",
                        summary="Image-to-video or video-to-video with frame interpolation.",
                        price_amount=15000,
                        delivery_days=6,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="nodegarden",
        display_name="Elif Demir",
        headline="ComfyUI pipeline builder for studios, agencies and product shoots",
        bio=(
            "I build ComfyUI pipelines for agencies in Istanbul and remote clients who need "
            "generated images that actually match a brief. My background is product "
            "photography, so I think about lighting, lenses and consistency across a "
            "catalogue, not just pretty single images. I set up workflows on your hardware or "
            "a cloud GPU, document every node group, and train your team to run them."
        ),
        skills=("ComfyUI", "ControlNet", "IPAdapter", "Product photography", "Python", "Linux"),
        level="level_2",
        country="TR",
        rating=4.9,
        review_count=103,
        gigs=(
            DemoGig(
                title="I will build a ComfyUI product photography pipeline for your catalog",
                description=(
                    "Shoot your product once on a plain background, and generate lifestyle "
                    "scenes that keep the product pixel-accurate. My pipeline segments the "
                    "product, generates a matching scene with consistent lighting direction, "
                    "relights the edges and composites everything back with shadows that make "
                    "sense.\n\n"
                    "You provide ten to twenty product photos and a mood board. I deliver the "
                    "workflow JSON, a model list, a batch setup that processes a whole "
                    "folder, and sample outputs for each product. Installation on your "
                    "machine is included if it runs Linux or Windows with an NVIDIA GPU and "
                    "at least 12 GB of VRAM."
                ),
                category="comfyui-workflows",
                tags=("comfyui", "product photography", "ai product photos", "ecommerce images"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Scene workflow",
                        summary="One scene style workflow with sample outputs.",
                        price_amount=12000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Catalog pipeline",
                        summary="Batch pipeline with three scene styles and relighting.",
                        price_amount=35000,
                        delivery_days=8,
                        revisions=3,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Studio setup",
                        summary="Full pipeline installed on your machine plus team training.",
                        price_amount=80000,
                        delivery_days=14,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Consistent character workflow in ComfyUI for comics and campaigns",
                description=(
                    "Keeping the same character across dozens of images is the hardest part "
                    "of generative work. I build a workflow combining a character LoRA or "
                    "reference images with IPAdapter and pose control, so your character "
                    "keeps the same face, outfit and proportions across new scenes.\n\n"
                    "Send ten or more reference images of the character, or a description and "
                    "I will design one with you first. Delivery includes the workflow, any "
                    "trained LoRA, a pose library and a guide to writing prompts that "
                    "preserve identity."
                ),
                category="comfyui-workflows",
                tags=("consistent character", "comfyui", "ipadapter", "character lora"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Reference workflow",
                        summary="Workflow using your reference images and pose control.",
                        price_amount=15000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="With trained LoRA",
                        summary="Workflow plus a custom character LoRA.",
                        price_amount=35000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Cast pipeline",
                        summary="Up to three characters, group scenes and a pose library.",
                        price_amount=75000,
                        delivery_days=12,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Fix, speed up or upgrade your existing ComfyUI workflow",
                description=(
                    "Red nodes after an update? Out-of-memory errors? A graph so tangled "
                    "nobody dares touch it? Send me your workflow JSON and a description of "
                    "the problem and I will get it running, then tidy it into labelled "
                    "groups.\n\n"
                    "I can also migrate older workflows to newer model families, swap slow "
                    "nodes for faster equivalents, and add batch processing or an API "
                    "endpoint so other tools can call it. You receive the repaired workflow, "
                    "a change log and notes on anything I could not fix, with the reason."
                ),
                category="comfyui-workflows",
                tags=("comfyui fix", "comfyui help", "workflow optimization", "comfyui api"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Quick fix",
                        summary="Diagnose and fix one broken workflow.",
                        price_amount=4000,
                        delivery_days=1,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Fix and tidy",
                        summary="Fix, reorganise and document one workflow.",
                        price_amount=9000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Upgrade and API",
                        summary="Model upgrade, speed tuning and an API endpoint.",
                        price_amount=25000,
                        delivery_days=6,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="latent-lab",
        display_name="Latent Lab",
        headline="Seoul collective for ComfyUI setups and custom LoRA training",
        bio=(
            "Latent Lab is three engineers and an illustrator in Seoul who build image "
            "generation tools for webtoon studios and game artists. We run our own GPU "
            "servers, so training and testing don't wait on cloud queues. We care about "
            "artist consent: we only train on images you own or have licensed, and we ask you "
            "to confirm that in writing before we start."
        ),
        skills=("LoRA training", "ComfyUI", "Dataset curation", "Kohya", "Webtoon pipelines"),
        level="level_1",
        country="KR",
        rating=4.7,
        review_count=29,
        gigs=(
            DemoGig(
                title="Webtoon and comic panel workflow in ComfyUI",
                description=(
                    "For comic artists who want help with backgrounds, colour flats or pose "
                    "reference, not a replacement for drawing. We build workflows that turn "
                    "your rough sketches into clean line art, generate backgrounds in your "
                    "style and produce flat colour layers you can paint over.\n\n"
                    "Send a few finished pages and a sample of your sketches. You receive a "
                    "ComfyUI workflow tuned for vertical scroll formats, exported layers as "
                    "separate PNGs for Clip Studio Paint or Photoshop, and a short "
                    "walkthrough video."
                ),
                category="comfyui-workflows",
                tags=("webtoon", "comic workflow", "comfyui", "line art"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Background workflow",
                        summary="Workflow for generating backgrounds from your sketches.",
                        price_amount=10000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Panel toolkit",
                        summary="Backgrounds, sketch-to-line-art and colour flats.",
                        price_amount=28000,
                        delivery_days=8,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Studio pipeline",
                        summary="Full toolkit plus a style LoRA trained on your pages.",
                        price_amount=60000,
                        delivery_days=14,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="ComfyUI setup on your PC or cloud GPU, ready to use",
                description=(
                    "Installing ComfyUI is easy; getting a stable setup with the right custom "
                    "nodes, models and drivers is not. Over a remote session we install "
                    "everything on your Windows or Linux machine, or on a cloud GPU instance, "
                    "and test it with starter workflows for images and video.\n\n"
                    "Tell us your GPU model and what you want to make. We set up a clean "
                    "Python environment, a model folder structure that won't turn into chaos, "
                    "and a manager for custom nodes. You keep a written setup log so you can "
                    "repeat it on a new machine."
                ),
                category="comfyui-workflows",
                tags=("comfyui setup", "comfyui install", "cloud gpu", "stable diffusion setup"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Basic install",
                        summary="ComfyUI install with one image starter workflow.",
                        price_amount=3500,
                        delivery_days=1,
                        revisions=0,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Creator setup",
                        summary="Install, image and video starter workflows, node manager.",
                        price_amount=8000,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Team setup",
                        summary="Setup on up to three machines with shared model storage.",
                        price_amount=22000,
                        delivery_days=4,
                        revisions=1,
                    ),
                ),
            ),
            DemoGig(
                title="Train a custom style or product LoRA on your own images",
                description=(
                    "A LoRA teaches an image model your specific style, character or product "
                    "so it appears reliably in new generations. You provide 20 to 60 images "
                    "you own; we curate them, caption each one by hand and train on our own "
                    "GPUs.\n\n"
                    "We test several checkpoints at different strengths and send you a "
                    "comparison grid, so you pick the one that best balances likeness and "
                    "flexibility. Delivery includes the LoRA file in safetensors format, "
                    "trigger words, recommended settings and a sample ComfyUI workflow that "
                    "uses it."
                ),
                category="ai-model-training",
                tags=("lora training", "style lora", "custom model", "stable diffusion"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Single LoRA",
                        summary="One LoRA for SDXL-class models with a comparison grid.",
                        price_amount=8000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="LoRA plus captions",
                        summary="Hand-captioned dataset, LoRA and two retrains.",
                        price_amount=18000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Two model families",
                        summary="LoRAs for two base model families with test workflows.",
                        price_amount=38000,
                        delivery_days=8,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="vibe-with-kofi",
        display_name="Kofi Mensah",
        headline="Vibe coder shipping small apps and tools in days, not months",
        bio=(
            "I'm an Accra-based developer who builds small apps fast by pairing with AI "
            "coding tools, then reviewing every line before it ships. I've built booking "
            "tools for salons, inventory trackers for market traders and internal dashboards "
            "for NGOs. Fast doesn't mean sloppy: I add authentication, validation and backups "
            "to everything, and I hand over a repository you can keep building on."
        ),
        skills=("Vibe coding", "Cursor", "Next.js", "Supabase", "Python", "Prompting"),
        level="level_1",
        country="GH",
        rating=4.8,
        review_count=57,
        gigs=(
            DemoGig(
                title="I will vibe-code a working web app MVP from your idea in a week",
                description=(
                    "Tell me the problem, who uses the app and the three things it must do on "
                    "day one. I write a one-page spec for your approval, then build with an "
                    "AI pair programmer, reviewing and testing each piece so you don't "
                    "inherit a pile of mystery code.\n\n"
                    "Typical MVPs include login, a database, a few core screens, email "
                    "notifications and an admin view. You receive the code in your own Git "
                    "repository, deployment to a hosting provider of your choice, and a short "
                    "prompt guide so you can keep extending it with AI tools yourself."
                ),
                category="vibe-coding",
                tags=("vibe coding", "mvp", "web app", "ai coding"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Clickable prototype",
                        summary="Front-end prototype with sample data, deployed.",
                        price_amount=15000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Working MVP",
                        summary="Login, database, up to five screens and deployment.",
                        price_amount=45000,
                        delivery_days=7,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="MVP plus payments",
                        summary="Working MVP with payments, admin panel and analytics.",
                        price_amount=90000,
                        delivery_days=12,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Bugs fixed in your AI-generated code when the assistant gets stuck",
                description=(
                    "The AI fixed one thing and broke two others, and now every prompt makes "
                    "it worse. I read the code myself, find the actual root cause, fix it, "
                    "and leave a note explaining what went wrong so you can avoid it next "
                    "time.\n\n"
                    "Send a repository link or zip, a description of the bug and steps to "
                    "reproduce it. I work mostly in JavaScript, TypeScript and Python "
                    "projects: Next.js, React, Express, FastAPI and Flask. If a fix needs a "
                    "bigger restructure, I tell you before starting and quote it separately."
                ),
                category="vibe-coding",
                tags=("bug fixing", "vibe coding", "debugging", "javascript"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="One bug",
                        summary="Fix one reproducible bug with an explanation.",
                        price_amount=4000,
                        delivery_days=1,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Three bugs",
                        summary="Fix up to three related bugs and add tests for them.",
                        price_amount=10000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Stabilise app",
                        summary="Up to eight bugs, error logging and a cleanup pass.",
                        price_amount=25000,
                        delivery_days=6,
                        revisions=2,
                    ),
                ),
            ),
            DemoGig(
                title="Browser extension or small automation tool built with AI pairing",
                description=(
                    "Some of the most useful software is tiny: a browser extension that "
                    "tidies your tabs, a script that renames hundreds of files, a spreadsheet "
                    "add-on that pulls prices every morning. I build small tools like these "
                    "quickly, and test them on the machines and browsers you actually use.\n\n"
                    "Describe the task and show me how you do it manually today; a screen "
                    "recording is perfect. I deliver the tool with install instructions, "
                    "source code and a plain-language explanation of what permissions it "
                    "needs and why. Store submission for extensions is included in premium."
                ),
                category="vibe-coding",
                tags=("browser extension", "automation script", "vibe coding", "small tools"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Simple script",
                        summary="One automation script with instructions.",
                        price_amount=5000,
                        delivery_days=2,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Extension or add-on",
                        summary="Browser extension or spreadsheet add-on with settings.",
                        price_amount=15000,
                        delivery_days=5,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Published tool",
                        summary="Extension with options page, tests and store submission.",
                        price_amount=30000,
                        delivery_days=8,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="prompt-to-prod",
        display_name="Beatriz Lima",
        headline="Front-end developer turning AI-built prototypes into polished sites",
        bio=(
            "I'm a front-end developer from Recife with four years at a digital agency behind "
            "me and a brand new independent profile here. I like clean CSS, accessible forms "
            "and interfaces that feel calm. Lately I've been helping founders who generated a "
            "first version with AI tools and now need it to look and behave like a real "
            "product. I work in English and Portuguese."
        ),
        skills=("HTML and CSS", "React", "Tailwind CSS", "Accessibility", "Vibe coding"),
        level="new",
        country="BR",
        rating=0.0,
        review_count=0,
        gigs=(
            DemoGig(
                title="Polish the UI of your AI-generated app so it looks professional",
                description=(
                    "AI tools are great at getting something on screen and not so great at "
                    "spacing, hierarchy and consistency. I go through your app screen by "
                    "screen, set up a small design system with colours, a type scale and "
                    "spacing tokens, and refactor components to use it.\n\n"
                    "I also fix responsive layouts, focus states and form errors, and make "
                    "sure colour contrast meets accessibility guidelines. Send a link to the "
                    "repository and, if you have them, a few apps whose look you admire. "
                    "Works best with React, Next.js and Tailwind CSS projects."
                ),
                category="vibe-coding",
                tags=("ui polish", "tailwind css", "vibe coding", "frontend"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Three screens",
                        summary="Polish of up to three screens with design tokens.",
                        price_amount=12000,
                        delivery_days=3,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Ten screens",
                        summary="Up to ten screens, responsive fixes and an accessibility pass.",
                        price_amount=30000,
                        delivery_days=6,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Full app",
                        summary="Whole app plus a small component library and docs.",
                        price_amount=60000,
                        delivery_days=10,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Responsive landing page in HTML and Tailwind from your design",
                description=(
                    "Have a design in Figma, a screenshot you like, or even a sketch on "
                    "paper? I build it as a clean, responsive landing page in HTML and "
                    "Tailwind CSS, or as React components if you plan to grow it into an app.\n\n"
                    "The page loads fast, passes basic accessibility checks, and includes a "
                    "working contact or waitlist form connected to your email or a "
                    "spreadsheet. I deliver the code in a repository and can deploy it to "
                    "free static hosting. Portuguese and English versions are available on "
                    "request."
                ),
                category="web-development",
                tags=("landing page", "tailwind css", "html css", "responsive website"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Simple page",
                        summary="Single-section page from your design.",
                        price_amount=8000,
                        delivery_days=2,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Landing page",
                        summary="Full landing page with form and deployment.",
                        price_amount=18000,
                        delivery_days=4,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Bilingual page",
                        summary="Landing page in two languages with analytics and SEO tags.",
                        price_amount=32000,
                        delivery_days=6,
                        revisions=3,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="finetune-fatima",
        display_name="Fatima Zahra El Idrissi",
        headline="ML engineer for LLM fine-tuning, datasets and evaluation",
        bio=(
            "I'm a machine learning engineer in Rabat with a background in speech recognition "
            "for Darija and French. Today I fine-tune open language and speech models for "
            "companies that need them to speak their domain or dialect. I'm careful about "
            "data: clear licensing, held-out test sets and honest numbers. If fine-tuning "
            "won't beat a good prompt for your use case, I'll tell you before you spend "
            "money."
        ),
        skills=(
            "LLM fine-tuning",
            "PyTorch",
            "Hugging Face Transformers",
            "Dataset curation",
            "Speech recognition",
        ),
        level="level_1",
        country="MA",
        rating=4.8,
        review_count=33,
        gigs=(
            DemoGig(
                title="I will fine-tune an open-source LLM on your domain data",
                description=(
                    "Fine-tuning makes sense when you need consistent formatting, domain "
                    "vocabulary or a smaller, cheaper model that runs on your own hardware. "
                    "We start with a scoping call and a baseline: how well does an "
                    "off-the-shelf model do on your task today?\n\n"
                    "I then prepare your data, train with LoRA or QLoRA in PyTorch, and "
                    "compare checkpoints on a held-out test set. Delivery includes adapter or "
                    "merged weights, training scripts, a model card, and an evaluation report "
                    "with examples of where the model still fails.\n\n"
                    "You need at least a few hundred good examples, or budget for me to help "
                    "create them."
                ),
                category="ai-model-training",
                tags=("llm fine-tuning", "qlora", "open source llm", "custom model"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Baseline and plan",
                        summary="Baseline evaluation and a written fine-tuning plan.",
                        price_amount=20000,
                        delivery_days=4,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Fine-tune",
                        summary="One fine-tuned model with evaluation report and scripts.",
                        price_amount=90000,
                        delivery_days=12,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Fine-tune and serve",
                        summary="Fine-tune, quantised model and an inference endpoint.",
                        price_amount=200000,
                        delivery_days=21,
                        revisions=3,
                    ),
                ),
            ),
            DemoGig(
                title="Speech recognition model adapted to your accent or dialect",
                description=(
                    "General speech recognition struggles with regional accents, "
                    "code-switching and industry jargon. I adapt an open speech model to your "
                    "audio using a few hours of transcribed recordings, and measure word "
                    "error rate before and after so you see the gain.\n\n"
                    "Send sample recordings and any existing transcripts. I can help set up a "
                    "transcription workflow if you have none. Delivery includes the "
                    "fine-tuned model, an evaluation report broken down by speaker group, and "
                    "a simple script to transcribe new files in batches."
                ),
                category="ai-model-training",
                tags=("speech recognition", "asr", "whisper fine-tuning", "dialect"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Evaluation",
                        summary="Word error rate test of current models on your audio.",
                        price_amount=15000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Adapted model",
                        summary="Fine-tuned model on up to 5 hours of audio.",
                        price_amount=80000,
                        delivery_days=10,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Production ASR",
                        summary="Up to 20 hours, speaker-group report and batch pipeline.",
                        price_amount=180000,
                        delivery_days=21,
                        revisions=2,
                    ),
                ),
            ),
            DemoGig(
                title="Build a clean, labeled training dataset for your AI model",
                description=(
                    "Most model problems are really data problems. I help you design "
                    "labelling guidelines, collect or generate examples, remove duplicates "
                    "and leaks between train and test splits, and check label quality with "
                    "agreement scores.\n\n"
                    "Tell me the task and show me examples of good and bad outputs. I deliver "
                    "the dataset in JSONL or Parquet with a datasheet describing sources, "
                    "licences, known gaps and intended use, plus the scripts used to build it "
                    "so you can extend it later."
                ),
                category="ai-model-training",
                tags=("training data", "data labeling", "dataset", "jsonl"),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Guidelines",
                        summary="Labelling guidelines and a 100-example pilot set.",
                        price_amount=12000,
                        delivery_days=3,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Dataset",
                        summary="Up to 2,000 labelled examples with a datasheet.",
                        price_amount=45000,
                        delivery_days=10,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Dataset and audit",
                        summary="Up to 8,000 examples, quality audit and build scripts.",
                        price_amount=110000,
                        delivery_days=20,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
    DemoFreelancer(
        handle="olli-trains-models",
        display_name="Olli Virtanen",
        headline="Computer vision engineer training small, fast image classifiers",
        bio=(
            "I studied machine learning in Helsinki and spent two years building defect "
            "detection for a sawmill, which taught me that a model running on a cheap camera "
            "at the edge beats a perfect one in the cloud. I'm new to freelancing and looking "
            "for focused image classification and detection projects where I can deliver "
            "something measurable."
        ),
        skills=("Computer vision", "PyTorch", "Image classification", "Object detection", "ONNX"),
        level="new",
        country="FI",
        rating=0.0,
        review_count=0,
        gigs=(
            DemoGig(
                title="I will train a custom image classifier or object detector on your photos",
                description=(
                    "Sorting products, spotting defects, counting items on a shelf: many "
                    "vision problems can be solved with a small model trained on a few "
                    "hundred of your own labelled images. I fine-tune a compact pretrained "
                    "network and export it to ONNX so it runs on a laptop, a phone or an edge "
                    "device.\n\n"
                    "Send your images and labels, or unlabelled images plus a clear "
                    "description of the classes. I report accuracy, a confusion matrix and "
                    "examples of mistakes. Delivery includes the model, a Python inference "
                    "script and training code you can rerun when you collect more data."
                ),
                category="ai-model-training",
                tags=(
                    "image classification",
                    "object detection",
                    "computer vision",
                    "custom model",
                ),
                packages=(
                    DemoPackage(
                        name="basic",
                        title="Classifier",
                        summary="Image classifier for up to five classes with a report.",
                        price_amount=15000,
                        delivery_days=5,
                        revisions=1,
                    ),
                    DemoPackage(
                        name="standard",
                        title="Detector",
                        summary="Object detector for up to five classes with ONNX export.",
                        price_amount=40000,
                        delivery_days=10,
                        revisions=2,
                    ),
                    DemoPackage(
                        name="premium",
                        title="Edge deployment",
                        summary="Detector optimised and tested on your target device.",
                        price_amount=85000,
                        delivery_days=18,
                        revisions=2,
                    ),
                ),
            ),
        ),
    ),
)

BUYERS: tuple[DemoBuyer, ...] = (
    DemoBuyer(email="harbor.lane.bakery@demo.twinwork.test", display_name="Harbor Lane Bakery"),
    DemoBuyer(email="nina.castell@demo.twinwork.test", display_name="Nina Castell"),
    DemoBuyer(email="ops.fernhill@demo.twinwork.test", display_name="Fernhill Robotics"),
    DemoBuyer(email="marcus.oyelaran@demo.twinwork.test", display_name="Marcus Oyelaran"),
    DemoBuyer(email="hello.kilnworks@demo.twinwork.test", display_name="Kilnworks Ceramics"),
    DemoBuyer(email="elena.varga@demo.twinwork.test", display_name="Elena Varga"),
)

SEARCH_TERMS: dict[str, tuple[str, ...]] = {
    "voice-over": (
        "podcast intro voice",
        "german voice over",
        "audiobook narrator",
        "e-learning narration",
        "deep male voice",
        "documentary narrator",
        "explainer video voice over",
        "warm female voice",
        "youtube narration",
        "voice over for ads",
    ),
    "graphic-design": (
        "social media templates",
        "pitch deck design",
        "packaging design",
        "brand style guide",
        "instagram post design",
        "product label design",
        "presentation design",
        "flyer design",
        "business card design",
        "canva templates",
    ),
    "logo-design": (
        "minimalist logo",
        "logo design",
        "mascot logo",
        "esports logo",
        "logo redesign",
        "vectorize my logo",
        "wordmark logo",
        "startup logo",
        "japanese logo",
        "app icon design",
    ),
    "song-lyrics": (
        "song lyrics writer",
        "pop song lyrics",
        "write lyrics for my beat",
        "country song lyrics",
        "custom wedding song",
        "jingle lyrics",
        "arabic song lyrics",
        "lyric editing",
        "rnb lyrics",
        "folk song writer",
    ),
    "copywriting": (
        "landing page copy",
        "seo blog post",
        "product descriptions",
        "email sequence",
        "saas copywriter",
        "website copywriting",
        "launch announcement",
        "onboarding emails",
        "sales page copy",
        "ecommerce product copy",
    ),
    "illustration": (
        "childrens book illustration",
        "character design",
        "sticker pack",
        "editorial illustration",
        "illustrated map",
        "watercolor illustration",
        "telegram stickers",
        "book cover illustration",
        "wedding map illustration",
    ),
    "video-editing": (
        "youtube video editing",
        "podcast clips",
        "tiktok editing",
        "color grading",
        "documentary editor",
        "add subtitles to video",
        "reels editing",
        "short form video editor",
        "interview video edit",
        "premiere pro editor",
    ),
    "web-development": (
        "nextjs website",
        "django developer",
        "shopify developer",
        "landing page developer",
        "admin dashboard",
        "website speed optimization",
        "fix core web vitals",
        "react developer",
        "custom web app",
        "tailwind landing page",
    ),
    "ai-agent-development": (
        "ai agent developer",
        "langgraph agent",
        "rag chatbot",
        "customer support ai agent",
        "email automation ai",
        "n8n workflow",
        "chatbot for my documents",
        "llm app developer",
        "ai assistant",
        "fix my ai agent",
    ),
    "ai-video-creation": (
        "ai video ad",
        "ai product video",
        "ai music video",
        "image to video",
        "ai b-roll",
        "ai explainer video",
        "lyric video",
        "animated product photo",
        "ai commercial",
        "text to video",
    ),
    "comfyui-workflows": (
        "comfyui workflow",
        "comfyui setup",
        "consistent character comfyui",
        "comfyui product photography",
        "fix comfyui workflow",
        "comfyui video workflow",
        "comfyui api",
        "comfyui install",
        "webtoon ai workflow",
        "controlnet workflow",
    ),
    "vibe-coding": (
        "vibe coding",
        "build mvp with ai",
        "fix ai generated code",
        "cursor developer",
        "browser extension",
        "vibe coded app review",
        "make my app production ready",
        "ui polish for my app",
        "supabase app",
        "ai coding help",
    ),
    "ai-model-training": (
        "fine tune llm",
        "lora training",
        "custom image classifier",
        "train stable diffusion lora",
        "whisper fine tuning",
        "training dataset",
        "object detection model",
        "qlora fine tuning",
        "data labeling",
        "custom ai model",
    ),
}

_HANDLE_CHARS: Final[frozenset[str]] = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _words(text: str) -> int:
    return len(text.split())


def _check_text(value: str, where: str) -> None:
    assert value == value.strip() and value, f"{where}: empty or padded text"
    assert value.isascii(), f"{where}: non-ASCII text"
    assert "http" not in value.lower() and "www." not in value.lower(), f"{where}: URL"


def _validate_package(pkg: DemoPackage, where: str) -> None:
    _check_text(pkg.title, where)
    _check_text(pkg.summary, where)
    assert pkg.name in PACKAGE_NAMES, f"{where}: bad package name {pkg.name!r}"
    assert pkg.price_amount > 0 and pkg.price_amount % 100 == 0, f"{where}: bad price"
    assert 1 <= pkg.delivery_days <= 30, f"{where}: delivery_days out of range"
    assert 0 <= pkg.revisions <= 10, f"{where}: revisions out of range"


def _validate_gig(gig: DemoGig, where: str) -> None:
    _check_text(gig.title, where)
    _check_text(gig.description, where)
    assert len(gig.title) <= 80, f"{where}: title longer than 80 chars"
    assert 60 <= _words(gig.description) <= 160, f"{where}: {_words(gig.description)} words"
    paragraphs = gig.description.split("\n\n")
    assert 2 <= len(paragraphs) <= 3, f"{where}: expected 2-3 paragraphs"
    assert all(p == p.strip() and p for p in paragraphs), f"{where}: malformed paragraph"
    assert gig.category in CATEGORY_SLUGS, f"{where}: unknown category {gig.category!r}"
    assert 3 <= len(gig.tags) <= 5, f"{where}: expected 3-5 tags"
    assert len(set(gig.tags)) == len(gig.tags), f"{where}: duplicate tags"
    for tag in gig.tags:
        _check_text(tag, where)
        assert tag == tag.lower() and len(tag) <= 24, f"{where}: bad tag {tag!r}"
    assert 1 <= len(gig.packages) <= 3, f"{where}: expected 1-3 packages"
    names = tuple(pkg.name for pkg in gig.packages)
    assert names == PACKAGE_NAMES[: len(names)], f"{where}: packages out of order"
    prices = [pkg.price_amount for pkg in gig.packages]
    assert all(a < b for a, b in zip(prices, prices[1:], strict=False)), f"{where}: prices"
    for pkg in gig.packages:
        _validate_package(pkg, f"{where} [{pkg.name}]")


def _validate_freelancer(person: DemoFreelancer) -> None:
    where = person.handle
    for text in (person.display_name, person.headline, person.bio, *person.skills):
        _check_text(text, where)
    assert 3 <= len(person.handle) <= 30, f"{where}: handle length"
    assert set(person.handle) <= _HANDLE_CHARS, f"{where}: handle characters"
    assert not person.handle.startswith("-") and not person.handle.endswith("-"), where
    assert len(person.headline) <= 80, f"{where}: headline longer than 80 chars"
    assert 40 <= _words(person.bio) <= 90, f"{where}: bio has {_words(person.bio)} words"
    assert 3 <= len(person.skills) <= 6, f"{where}: expected 3-6 skills"
    assert person.level in LEVELS, f"{where}: unknown level {person.level!r}"
    assert len(person.country) == 2, f"{where}: country code"
    assert person.country.isalpha() and person.country.isupper(), f"{where}: country code"
    if person.level == "new":
        assert person.rating == 0.0 and person.review_count == 0, f"{where}: new seller stats"
    else:
        assert 4.3 <= person.rating <= 5.0, f"{where}: rating out of range"
        assert round(person.rating, 1) == person.rating, f"{where}: rating precision"
        assert person.review_count > 0, f"{where}: review_count"
    assert 1 <= len(person.gigs) <= 4, f"{where}: expected 1-4 gigs"
    titles = [gig.title for gig in person.gigs]
    assert len(set(titles)) == len(titles), f"{where}: duplicate gig titles"
    for index, gig in enumerate(person.gigs):
        _validate_gig(gig, f"{where} gig {index}")


def _validate() -> None:
    handles = [person.handle for person in FREELANCERS]
    assert len(handles) == 26, "expected 26 freelancers"
    assert len(set(handles)) == len(handles), "duplicate freelancer handles"
    per_category = dict.fromkeys(CATEGORY_SLUGS, 0)
    per_level = dict.fromkeys(LEVELS, 0)
    logo_gigs = 0
    for person in FREELANCERS:
        _validate_freelancer(person)
        per_level[person.level] += 1
        for gig in person.gigs:
            per_category[gig.category] += 1
            if "logo" in gig.title.lower() or any("logo" in tag for tag in gig.tags):
                logo_gigs += 1
    assert sum(per_category.values()) >= 66, "expected at least 66 gigs"
    thin = [slug for slug, count in per_category.items() if count < 3]
    assert not thin, f"categories with fewer than 3 gigs: {thin}"
    assert per_level["pro"] == 2 and per_level["top_rated"] >= 2, "level mix"
    assert per_level["new"] >= 3, "level mix"
    assert logo_gigs >= 5, "expected at least 5 gigs matching 'logo'"

    emails = [buyer.email for buyer in BUYERS]
    assert len(BUYERS) == 6, "expected 6 buyers"
    assert len(set(emails)) == len(emails), "duplicate buyer emails"
    for buyer in BUYERS:
        _check_text(buyer.display_name, buyer.email)
        assert buyer.email.endswith(BUYER_EMAIL_DOMAIN), f"{buyer.email}: wrong domain"
        assert buyer.email == buyer.email.lower() and buyer.email.isascii(), buyer.email

    assert set(SEARCH_TERMS) == set(CATEGORY_SLUGS), "SEARCH_TERMS must cover every slug"
    for slug, terms in SEARCH_TERMS.items():
        assert 8 <= len(terms) <= 12, f"{slug}: expected 8-12 search terms"
        assert len(set(terms)) == len(terms), f"{slug}: duplicate search terms"
        for term in terms:
            _check_text(term, slug)
            assert term == term.lower(), f"{slug}: search term {term!r} not lowercase"


_validate()
