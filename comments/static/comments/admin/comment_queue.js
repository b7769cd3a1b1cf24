/* Keyboard shortcuts for the comment queue (Admin → Comments). A file, not inline: the
   Content-Security-Policy allows no inline script. Each key acts on the focused row:
     j / k  next / previous comment        a  approve      s  spam
     r      remove… (opens the reasons)    x  select       o  open the comment's page
   After a decision the page reloads; the row at the same place gets the focus again. */
"use strict";
{
    const STORE = "comment-queue-row";

    function rows() {
        return Array.from(document.querySelectorAll("#result_list tbody tr"));
    }

    function focusRow(index) {
        const all = rows();
        if (!all.length) {
            return;
        }
        const row = all[Math.max(0, Math.min(index, all.length - 1))];
        row.focus();
        row.scrollIntoView({block: "nearest"});
    }

    function press(row, selector) {
        const control = row.querySelector(selector);
        if (!control) {
            return;
        }
        try {
            sessionStorage.setItem(STORE, String(rows().indexOf(row)));
        } catch (e) {
            // Storage refused: the shortcut still works, the focus starts at the top.
        }
        control.click();
    }

    function typing(target) {
        return target.closest("input:not([type=checkbox]), select, textarea, [contenteditable]");
    }

    function onKey(event) {
        if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
            return;
        }
        const row = event.target.closest("#result_list tbody tr");
        const index = row ? rows().indexOf(row) : -1;
        switch (event.key) {
        case "j":
            focusRow(index + 1);
            break;
        case "k":
            focusRow(index < 0 ? 0 : index - 1);
            break;
        case "a":
            if (row) {
                press(row, "button.cq-approve");
            }
            break;
        case "s":
            if (row) {
                press(row, "button.cq-spam");
            }
            break;
        case "r":
            if (row) {
                const menu = row.querySelector("details.cq-remove");
                if (menu) {
                    menu.open = true;
                    menu.querySelector(".cq-menu button").focus();
                }
            }
            break;
        case "x":
            if (row) {
                row.querySelector("input.action-select")?.click();
            }
            break;
        case "o":
            if (row) {
                row.querySelector("a.cq-open")?.click();
            }
            break;
        case "Escape":
            document.querySelectorAll("details.cq-remove[open]").forEach((menu) => {
                menu.open = false;
            });
            if (row) {
                row.focus();
            }
            break;
        default:
            return;
        }
        event.preventDefault();
    }

    function closeOtherMenus(event) {
        document.querySelectorAll("details.cq-remove[open]").forEach((menu) => {
            if (!menu.contains(event.target)) {
                menu.open = false;
            }
        });
    }

    function hint(table) {
        const keys = [["j", "k", "next / previous"], ["a", "approve"], ["s", "spam"],
            ["r", "remove…"], ["x", "select"], ["o", "open"]];
        const line = document.createElement("p");
        line.className = "cq-keys";
        line.append("Keys: ");
        keys.forEach((entry, n) => {
            entry.slice(0, -1).forEach((key, k) => {
                const kbd = document.createElement("kbd");
                kbd.textContent = key;
                line.append(k ? " " : "", kbd);
            });
            line.append(" " + entry[entry.length - 1] + (n < keys.length - 1 ? " · " : ""));
        });
        table.closest(".results").before(line);
    }

    function init() {
        const table = document.getElementById("result_list");
        if (!table || !table.querySelector(".field-comment_cell")) {
            return;
        }
        rows().forEach((row) => {
            row.tabIndex = 0;
        });
        hint(table);
        document.addEventListener("keydown", onKey);
        document.addEventListener("click", closeOtherMenus);
        let restored = null;
        try {
            restored = sessionStorage.getItem(STORE);
            sessionStorage.removeItem(STORE);
        } catch (e) {
            restored = null;
        }
        if (restored !== null) {
            focusRow(Number(restored));
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}
