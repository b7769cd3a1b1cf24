// The media library picker, opened by the article editor's "Browse..." button
// (django-prose-editor's Figure extension, pickerUrl): clicking a picture hands its URL,
// id, alt text and caption back to the editor through the CKEditor-style callback the
// editor installs on window.opener, then closes the window.
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.getElementById("image-picker");
  if (!picker) return;
  const func = picker.dataset.func;
  picker.addEventListener("click", (event) => {
    const choice = event.target.closest(".picker-choice");
    if (!choice) return;
    const opener = window.opener;
    if (!opener || !opener.CKEDITOR || !opener.CKEDITOR.tools || !func) {
      window.alert("Open this page from the article editor's image dialog (Browse…).");
      return;
    }
    opener.CKEDITOR.tools.callFunction(Number(func), choice.dataset.url, {
      id: choice.dataset.id,
      alternative_text: choice.dataset.alt,
      caption: choice.dataset.caption,
    });
    window.close();
  });
});
