// Every error message in a Digital Bazaar verification result, nested causes included, each once.
export function messages(result, ...more) {
  const found = [];
  const visit = (error) => {
    if (!error) return;
    if (Array.isArray(error)) return error.forEach(visit);
    found.push(String(error.message || error));
    visit(error.errors);
    visit(error.cause);
  };
  visit(result.error);
  for (const item of result.results || []) visit(item.error);
  more.forEach(visit);
  return [...new Set(found)];
}
