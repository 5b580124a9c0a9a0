"""What the language tests count as English left on a page or in an email (tests.support.languages)."""

from tests.support.languages import english_left


def test_a_text_shown_as_in_english_is_english_left():
    english = ["Transfer products", "Receive the product"]
    shown = ["Transférer des produits", "Receive the product"]
    assert english_left(shown, english, language="fr") == ["Receive the product"]


def test_an_english_word_in_a_translated_sentence_is_english_left():
    shown = ["Dupont Conseil SA vous transfère 3 products to you"]
    assert english_left(shown, ["Dupont Conseil SA transfers 3 products to you"], language="fr") == shown


def test_names_addresses_numbers_and_shared_words_are_not():
    english = ["Dupont Conseil SA", "claire@example.com", "Version 2026-01.", "Status", "kDrive Team"]
    shown = [*english, "https://manager.example/transfers/receive/abc"]
    allowed = ["Dupont Conseil SA", "kDrive Team"]
    assert english_left(shown, english, language="de", allowed=allowed) == []
    assert english_left(["Status"], ["Status"], language="fr") == ["Status"]
