// Posts the LTI form of the page (a deep linking response) as soon as it loads; the button stays for
// browsers that run no scripts. Served as a file: the pages' Content-Security-Policy allows no inline script.
const form = document.querySelector('form[data-autopost]');
if (form instanceof HTMLFormElement) form.submit();
