// The checklist of a safety round: the place the phone is at, if the
// browser gives it, goes with the results (lat, lng). The form itself is
// queued and sent by offline.js, like a visit.
(function () {
  "use strict";
  var lat = document.getElementById("round-lat"), lng = document.getElementById("round-lng");
  if (!lat || !lng || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (p) {
    lat.value = String(p.coords.latitude);
    lng.value = String(p.coords.longitude);
  }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
})();
