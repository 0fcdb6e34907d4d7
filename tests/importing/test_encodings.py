"""Text in the encodings investigators' files come in: decoded right, or flagged as a
guess, never garbled in silence. The same report in twelve scripts' legacy encodings."""

from __future__ import annotations

import random
from email.message import EmailMessage
from pathlib import Path

import pytest

from casefile.domain.formats import Format
from casefile.importing.extract import detect
from casefile.importing.extract.decode import DECLARED, DETECTED, GUESSED, UTF8, decode
from casefile.importing.extract.dispatch import extract
from casefile.services.case import Case

ARABIC = (
    "قالت الشرطة إن المهاجم تصرف بمفرده عندما صدم المشاة على جسر وستمنستر. وأعلن تنظيم "
    "الدولة الإسلامية مسؤوليته عن الهجوم في اليوم التالي عبر وكالة أعماق، لكن المحققين "
    "لم يجدوا دليلا على اتصال مباشر بالتنظيم."
)
RUSSIAN = (
    "Полиция заявила, что нападавший действовал в одиночку, когда въехал в пешеходов на "
    "Вестминстерском мосту. На следующий день ответственность за нападение взяло на себя "
    "Исламское государство через агентство Амак."
)
JAPANESE = (
    "警察によると、襲撃者はウェストミンスター橋で歩行者に車で突っ込んだ際、単独で行動して"
    "いた。翌日、イスラム国はアマック通信を通じて犯行声明を出したが、捜査員は組織との直接"
    "の接触の証拠を見つけなかった。"
)
CHINESE_SIMPLIFIED = (
    "警方表示，袭击者驾车冲撞威斯敏斯特桥上的行人时是单独行动。第二天，伊斯兰国通过阿马克"
    "通讯社宣称对这次袭击负责，但调查人员没有发现与该组织直接联系的证据。"
)
CHINESE_TRADITIONAL = (
    "警方表示，襲擊者駕車衝撞威斯敏斯特橋上的行人時是單獨行動。第二天，伊斯蘭國通過阿馬克"
    "通訊社宣稱對這次襲擊負責，但調查人員沒有發現與該組織直接聯繫的證據。"
)
KOREAN = (
    "경찰은 공격자가 웨스트민스터 다리에서 보행자들을 차로 들이받았을 때 단독으로 "
    "행동했다고 밝혔다. 다음 날 이슬람국가는 아마크 통신을 통해 공격의 배후를 "
    "자처했지만 수사관들은 조직과의 직접적인 접촉 증거를 찾지 못했다."
)
REPORTS = {
    "cp1256": ARABIC,
    "iso8859_6": ARABIC,
    "cp1251": RUSSIAN,
    "koi8_r": RUSSIAN,
    "cp1255": (
        "המשטרה מסרה כי התוקף פעל לבדו כאשר דרס הולכי רגל על גשר וסטמינסטר. למחרת נטל "
        "ארגון המדינה האסלאמית אחריות לפיגוע באמצעות סוכנות הידיעות עמאק."
    ),
    "iso8859_7": (
        "Η αστυνομία δήλωσε ότι ο δράστης ενήργησε μόνος του όταν έπεσε με το αυτοκίνητο "
        "πάνω σε πεζούς στη γέφυρα του Γουέστμινστερ. Το Ισλαμικό Κράτος ανέλαβε την ευθύνη "
        "την επόμενη ημέρα."
    ),
    "cp1254": (
        "Polis, saldırganın Westminster Köprüsü üzerinde yayalara araçla çarptığında tek "
        "başına hareket ettiğini açıkladı. İslam Devleti ertesi gün saldırıyı üstlendiğini "
        "Amak ajansı aracılığıyla duyurdu."
    ),
    "gbk": CHINESE_SIMPLIFIED,
    "big5": CHINESE_TRADITIONAL,
    "euc_jp": JAPANESE,
    "shift_jis": JAPANESE,
    # All ASCII bytes, valid UTF-8 too: the escapes that designate the character sets tell.
    "iso2022_jp": JAPANESE,
    "iso2022_kr": KOREAN,
    "euc_kr": KOREAN,
    "utf_16_le": (  # no byte-order mark: half its bytes are NULs, yet it is text
        "Police said the attacker acted alone when he drove into pedestrians on "
        "Westminster Bridge. Islamic State claimed the attack the next day."
    ),
}


@pytest.mark.parametrize("encoding", list(REPORTS))
def test_a_text_file_in_a_legacy_encoding_is_decoded_right(encoding: str) -> None:
    text = REPORTS[encoding]
    result = extract(text.encode(encoding), "report.txt")
    assert result.format is Format.TEXT  # not refused as "binary data"
    assert result.pages == (text,)
    assert result.title == text.split("\n")[0][:200].rsplit(" ", 1)[0] or result.title
    assert result.decoded is not None
    assert result.decoded.found_by == DETECTED
    assert not result.decoded.guessed


def test_a_few_accented_letters_are_read_as_windows_1252_and_said_to_be_a_guess() -> None:
    decoded = decode("Café au lait, Zoë".encode("cp1252"))
    assert decoded.text == "Café au lait, Zoë"
    assert decoded.found_by == GUESSED
    assert decoded.said().startswith("cp1252 (guessed: ")
    assert "encodings read these bytes cleanly" in decoded.said()


LATIN = {  # Western text is guessed as Windows-1252 and read right; Polish is told apart
    "cp1252": (
        "À la suite de l’attaque, la police a arrêté plusieurs personnes à Birmingham. Le "
        "préfet a déclaré que l’enquête était très avancée. Größere Übungen wären möglich; "
        "según los testigos, ¿quién lo ayudó?"
    ),
    "cp1250": (
        "Po zamachu policja zatrzymała kilka osób w Birmingham. Rzecznik oświadczył, że "
        "śledztwo jest bardzo zaawansowane i nie ma bezpośredniego zagrożenia. Świadkowie "
        "widzieli sprawcę dzień wcześniej w hotelu."
    ),
}


@pytest.mark.parametrize(
    "text",
    [
        "El niño y la señora Muñoz comieron piñones en España con sus compañeros. " * 3,
        "A comissão não aprovou a decisão, disse o ministro. " * 3,
        "Genève, Anaïs, Zoë, Noël, Gaëlle, Hélène, Jérôme, Françoise. " * 4,
    ],
    ids=["spanish", "portuguese", "french-names"],
)
def test_western_text_that_other_code_pages_read_as_cleanly_is_a_guess_read_right(
    text: str,
) -> None:
    """cp1250 reads these bytes as cleanly ("nińo", "comissăo") and scored as well."""
    decoded = decode(text.encode("cp1252"))
    assert decoded.text == text
    assert decoded.guessed


@pytest.mark.parametrize("encoding", list(LATIN))
def test_latin_script_languages_come_out_right_detected_or_guessed(encoding: str) -> None:
    decoded = decode(LATIN[encoding].encode(encoding))
    assert decoded.text == LATIN[encoding]


def test_a_page_declaring_its_charset_after_its_scripts_is_decoded_by_it() -> None:
    scripts = "<script>var tracking = 1;</script>\n" * 60  # over 2 KB before the <meta>
    page = (
        f"<html><head>{scripts}<meta charset='windows-1251'><title>Отчёт</title></head>"
        f"<body><article><p>{RUSSIAN}</p></article></body></html>"
    )
    result = extract(page.encode("cp1251"), "page.html")
    assert result.decoded is not None
    assert (result.decoded.encoding, result.decoded.found_by) == ("cp1251", DECLARED)
    assert RUSSIAN in result.pages[0]


def test_an_iso_2022_jp_mail_body_is_decoded_not_kept_as_escapes() -> None:
    message = EmailMessage()
    message["From"] = "Analyst <analyst@example.org>"
    message["To"] = "desk@example.org"
    message["Subject"] = "Westminster"
    message["Date"] = "Thu, 23 Mar 2017 09:00:00 +0000"
    message["Message-ID"] = "<1@example.org>"
    message.set_content(JAPANESE, charset="iso-2022-jp", cte="7bit")
    result = extract(message.as_bytes(), "mail.eml")
    assert result.pages[0].strip() == JAPANESE
    assert "\x1b$B" not in result.pages[0]


def test_ascii_with_a_terminals_escapes_is_not_taken_for_iso_2022() -> None:
    coloured = b"\x1b[31mERROR\x1b[0m the upload failed; retry at 10:00\n" * 3
    decoded = decode(coloured)
    assert (decoded.encoding, decoded.found_by) == ("utf-8", UTF8)
    assert decoded.text == coloured.decode("ascii")


def test_utf_16_and_shift_jis_without_a_mark_are_text() -> None:
    assert detect(REPORTS["utf_16_le"].encode("utf_16_le"), "notes") is Format.TEXT
    assert detect(JAPANESE.encode("shift_jis"), "notes") is Format.TEXT


def test_the_import_notes_a_detected_encoding_and_tags_a_guessed_one(
    case: Case, tmp_path: Path
) -> None:
    arabic = tmp_path / "arabic.txt"
    arabic.write_bytes(ARABIC.encode("cp1256"))
    short = tmp_path / "short.txt"
    short.write_bytes("Café au lait, Zoë".encode("cp1252"))
    outcomes = case.importer.import_files([arabic, short]).outcomes
    sources = {o.path.name: o.source_id for o in outcomes if o.source_id}
    detected, guessed = (case.records.get(sources[name]) for name in ("arabic.txt", "short.txt"))
    assert "Text encoding: cp1256 (detected)" in detected.notes
    assert "encoding guessed" not in detected.tags
    assert detected.label.startswith("قالت الشرطة")  # the title is not garbled either
    assert "Text encoding: cp1252 (guessed: " in guessed.notes
    assert "encoding guessed" in guessed.tags


def test_a_page_that_opens_with_a_long_script_or_php_warnings_is_read_as_a_page() -> None:
    body = "<article><h1>Attacker acted alone</h1><p>" + "Police said so. " * 40 + "</p></article>"
    for opening in (
        "<script type='text/javascript'>var a = 1;\n" + "var b = 2;\n" * 300 + "</script>\n",
        "<br />\n<b>Warning</b>: session_start(): headers already sent in "
        "/var/www/index.php on line 3<br />\n" * 20,
    ):
        page = f"{opening}<!DOCTYPE html><html><head><title>Attacker acted alone</title>"
        page += f"</head><body>{body}</body></html>"
        result = extract(page.encode(), "saved")
        assert result.format is Format.HTML
        assert result.title == "Attacker acted alone"
        assert "<script" not in result.pages[0]


def test_a_script_detection_is_unsure_of_is_guessed_in_that_script_not_as_latin() -> None:
    """No reading of these KOI8-R bytes is clean enough for detection to be sure (eight
    words drawn at random, over and over); Windows-1252, the guess for Western text, made
    Latin garbage of them."""
    words = [
        "нападение",
        "полиция",
        "подозреваемый",
        "заявил",
        "машина",
        "мост",
        "парламент",
        "заявление",
    ]
    draw = random.Random(17)
    text = "\n".join(
        " ".join(draw.choices(words, k=draw.randint(8, 14))).capitalize() + "." for _ in range(30)
    )
    decoded = decode(text.encode("koi8_r"))

    assert decoded.text == text
    assert decoded.guessed  # still said to be a guess: the source is tagged
