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

// "Select all" checkboxes.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  document.querySelectorAll(`input[name="${all.dataset.selectAll}"]:not(:disabled)`).forEach((box) => {
    box.checked = all.checked;
  });
});
