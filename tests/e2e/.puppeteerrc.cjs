// desktop-commander pulls puppeteer (through md-to-pdf) for PDF output,
// which no test uses; its browser download needs hosts the test machines
// cannot reach.
module.exports = { skipDownload: true };
