// Progressive enhancements; every flow works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  navigator.clipboard.writeText(field.value).then(() => {
    button.textContent = button.dataset.copied || "Copied";
  });
});

// Buttons that need other fields first ("Receive the product" needs an Organization and the terms).
function syncRequirements() {
  document.querySelectorAll("[data-requires]").forEach((button) => {
    const ids = button.dataset.requires.split(" ");
    button.disabled = !ids.every((id) => {
      const field = document.getElementById(id);
      return field && (field.type === "checkbox" ? field.checked : field.value !== "");
    });
  });
}
document.addEventListener("change", syncRequirements);
document.addEventListener("input", syncRequirements);
document.addEventListener("DOMContentLoaded", syncRequirements);
document.addEventListener("htmx:afterSwap", syncRequirements);

// A region replaced by htmx (a page of the list, "Select all") takes the focus of the control it
// removed, so that a keyboard user goes on from there rather than from the top of the page.
document.addEventListener("htmx:afterSettle", (event) => {
  const region = document.getElementById(event.detail.target.id);
  if (region && region.hasAttribute("tabindex") && document.activeElement === document.body) region.focus();
});

// "Select all" checkboxes.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  document.querySelectorAll(`input[name="${all.dataset.selectAll}"]:not(:disabled)`).forEach((box) => {
    box.checked = all.checked;
  });
});

// Menus ("Actions ▾", the Organization switcher) behave as disclosure widgets: one open at a time,
// closed by Escape (focus back on their button), by a click or a focus elsewhere; the arrow keys,
// Home and End move between their items. An open "Actions" menu is fixed to the viewport under its
// button, so that no scrolling table clips it.
const MENUS = "details.menu, details.switcher";

function menuItems(menu) {
  return [...menu.querySelectorAll(":scope > :not(summary) :is(a[href], button:not(:disabled))")];
}

function closeMenu(menu, refocus) {
  menu.open = false;
  if (refocus) menu.querySelector("summary").focus();
}

function placeMenu(menu) {
  const list = menu.querySelector(":scope > ul");
  if (!menu.matches("details.menu") || !list) return;
  const button = menu.querySelector("summary").getBoundingClientRect();
  list.classList.add("floating");
  const below = window.innerHeight - button.bottom;
  const up = below < list.offsetHeight + 8 && button.top > below;
  list.style.setProperty("--menu-top", `${up ? button.top - list.offsetHeight - 4 : button.bottom + 4}px`);
  list.style.setProperty("--menu-right", `${Math.max(8, document.documentElement.clientWidth - button.right)}px`);
}

document.addEventListener("toggle", (event) => {
  const menu = event.target;
  if (!menu.matches || !menu.matches(MENUS) || !menu.open) return;
  document.querySelectorAll(MENUS).forEach((other) => { if (other !== menu && other.open) other.open = false; });
  placeMenu(menu);
}, true);

document.addEventListener("click", (event) => {
  document.querySelectorAll(MENUS).forEach((menu) => {
    if (menu.open && !menu.contains(event.target)) closeMenu(menu, false);
  });
});

document.addEventListener("focusin", (event) => {
  document.querySelectorAll(MENUS).forEach((menu) => {
    if (menu.open && !menu.contains(event.target)) closeMenu(menu, false);
  });
});

document.addEventListener("keydown", (event) => {
  const menu = event.target.closest && event.target.closest(MENUS);
  if (!menu) return;
  if (event.key === "Escape" && menu.open) {
    event.preventDefault();
    closeMenu(menu, true);
    return;
  }
  const items = menuItems(menu);
  const index = items.indexOf(event.target);
  const moves = {
    ArrowDown: index + 1 < items.length ? index + 1 : 0,
    ArrowUp: index > 0 ? index - 1 : items.length - 1,
    Home: 0,
    End: items.length - 1,
  };
  if (!(event.key in moves) || !items.length) return;
  event.preventDefault();
  menu.open = true;
  items[moves[event.key]].focus();
});

["scroll", "resize"].forEach((type) => window.addEventListener(type, () => {
  document.querySelectorAll("details.menu[open]").forEach(placeMenu);
}, true));

// The sidebar's menu: always open on a wide screen (its button is hidden there), closed on a phone
// until its button is pressed. The page renders it open, so that it works without this file.
const phone = window.matchMedia("(max-width: 640px)");
function fitSidebar() {
  document.querySelectorAll("details.sidebar-menu").forEach((menu) => { menu.open = !phone.matches; });
}
phone.addEventListener("change", fitSidebar);
document.addEventListener("DOMContentLoaded", fitSidebar);

// Tables stacked as cards on a phone: each cell a template left unlabelled gets its column's name, and
// every part its table role, which some browsers drop from elements no longer displayed as a table.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".table-wrap table").forEach((table) => {
    const names = [];
    table.querySelectorAll("thead th").forEach((th) => {
      for (let i = 0; i < (th.colSpan || 1); i += 1) names.push(th.textContent.trim());
    });
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody").forEach((group) => group.setAttribute("role", "rowgroup"));
    table.querySelectorAll("tr").forEach((row) => {
      row.setAttribute("role", "row");
      let column = 0;
      [...row.children].forEach((cell) => {
        cell.setAttribute("role", cell.matches("thead th") ? "columnheader" : cell.matches("th") ? "rowheader" : "cell");
        const unlabelled = cell.matches("td") && cell.colSpan === 1 && !cell.hasAttribute("data-label");
        if (unlabelled && names[column]) cell.dataset.label = names[column];
        column += cell.colSpan || 1;
      });
    });
  });
});
