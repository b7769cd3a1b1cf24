// The image page: click the picture to set its focal point (the fields below it hold
// the fractions from the top left); a marker shows where it is.
document.addEventListener("DOMContentLoaded", () => {
  const picture = document.querySelector("img.library-preview");
  const x = document.getElementById("id_focal_x");
  const y = document.getElementById("id_focal_y");
  if (!picture || !x || !y) return;
  const frame = document.createElement("span");
  frame.className = "focal-frame";
  picture.replaceWith(frame);
  frame.append(picture);
  const marker = document.createElement("span");
  marker.className = "focal-marker";
  frame.append(marker);
  const show = () => {
    const fx = parseFloat(x.value), fy = parseFloat(y.value);
    marker.hidden = Number.isNaN(fx) || Number.isNaN(fy);
    marker.style.left = `${fx * 100}%`;
    marker.style.top = `${fy * 100}%`;
  };
  picture.title = "Click where the subject is: frontends crop around it";
  picture.addEventListener("click", (event) => {
    const box = picture.getBoundingClientRect();
    x.value = ((event.clientX - box.left) / box.width).toFixed(3);
    y.value = ((event.clientY - box.top) / box.height).toFixed(3);
    show();
  });
  x.addEventListener("input", show);
  y.addEventListener("input", show);
  show();
});
