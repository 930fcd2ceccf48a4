// Ends LTI Dynamic Registration 1.0 (§3.7): tells the course system that opened this page (a window or an
// iframe) that the registration is done, so it can close it. The spec names the message and the target
// origin '*'; the message carries nothing secret. Served as a file: the page's policy allows no inline script.
(window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
