// Roster pages: the print button (the CSP forbids inline handlers).
document.addEventListener('DOMContentLoaded', function () {
  var b = document.getElementById('roster-print');
  if (b) b.addEventListener('click', function () { window.print(); });
});
