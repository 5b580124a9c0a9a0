"""Add the French, German, Italian and Spanish texts of version 2026-01 of the general conditions
(0002 published its English, source text), so that each reader accepts the conditions in their
language. Formal address throughout (vous, Sie, Lei, usted), as in the rest of the Manager."""

from django.db import migrations

VERSION = "2026-01"

TEXTS = {
    "fr": (
        "Conditions générales d'utilisation du Manager",
        """\
Les présentes conditions générales régissent l'utilisation du Manager, l'interface client au moyen
de laquelle une Organisation détient et gère les produits auxquels elle a souscrit auprès du
prestataire. Elles s'appliquent en complément des conditions particulières de chaque produit. En les
acceptant, vous déclarez être habilité à agir pour le compte de l'Organisation concernée.

1. Organisations et rôles

1.1 Chaque produit est détenu à tout moment par une seule et unique Organisation. L'Organisation est
la partie contractante du prestataire pour ce produit : elle est facturée pour celui-ci et répond de
son utilisation.

1.2 Chaque Organisation compte au moins un représentant légal. Les représentants légaux et les
administrateurs peuvent gérer les produits, les membres, les équipes de travail et les transferts ;
les collaborateurs peuvent uniquement utiliser les produits auxquels un accès leur a été accordé.

1.3 Vous êtes tenu de garder vos identifiants secrets. Toute action effectuée au moyen de votre compte
ou de l'un de vos jetons d'API personnels est réputée avoir été effectuée par vous.

2. Transfert de produits entre Organisations

2.1 Un représentant légal ou un administrateur peut transférer un ou plusieurs produits de son
Organisation à une autre Organisation. Le transfert déplace la gestion et la facturation des
produits à compter de la date à laquelle il est finalisé ; il ne modifie pas le titulaire
(registrant) d'un nom de domaine.

2.2 Le service n'est pas interrompu : le produit continue de fonctionner, avec ses données et sa
configuration, pendant et après le transfert.

2.3 Les factures ne sont pas transférées. Les factures émises avant le transfert, y compris celles
qui mentionnent les produits transférés, restent attachées à l'Organisation à laquelle elles ont été
adressées, qui en demeure redevable. L'Organisation destinataire est facturée pour les produits à
compter du prochain renouvellement.

2.4 Les utilisateurs qui avaient accès à un produit transféré perdent cet accès, de même que les
équipes de travail de l'Organisation cédante, sauf si les conditions propres au produit en disposent
autrement. Pour kDrive, les utilisateurs disposant d'un accès sont ajoutés à l'Organisation
destinataire en tant que collaborateurs et conservent l'utilisation du drive ; leurs droits de
gestion ne sont pas conservés.

2.5 Certains produits ne peuvent pas être transférés : kSuite et my kSuite ; Jelastic Cloud suit sa
propre procédure. Un produit suspendu ou expiré, ou un produit faisant déjà partie d'un transfert en
attente, ne peut pas être inclus dans un nouveau transfert.

2.6 Un lien de transfert confère à quiconque le détient le pouvoir de recevoir les produits dans une
Organisation qu'il administre. Ne le communiquez qu'au destinataire prévu. Le lien ne peut être
utilisé qu'une seule fois, expire au terme du délai indiqué lors de sa création et peut être remplacé
ou annulé à tout moment tant que le transfert est en attente. Un lien envoyé à une adresse e-mail ne
peut, sauf décision contraire de votre part, être utilisé que par un utilisateur qui se connecte avec
cette adresse.

2.7 Le destinataire doit être représentant légal ou administrateur de l'Organisation destinataire et
doit accepter les présentes conditions générales. La réception se fait en tout ou rien : soit tous
les produits du transfert sont déplacés, soit aucun ne l'est.

2.8 Les deux Organisations sont informées lorsqu'un transfert est finalisé, et une trace en est
conservée dans le journal d'audit de chacune d'elles.

3. Enregistrements

3.1 Le prestataire enregistre chaque acceptation des présentes conditions générales (qui, pour
quelle Organisation, quelle version, quand, depuis quelle adresse IP et à quelle étape) et tient un
journal d'audit des actions effectuées dans chaque Organisation. Ces enregistrements servent de
preuve entre les parties.

4. Modifications

4.1 Le prestataire peut modifier les présentes conditions générales. La nouvelle version s'applique
aux actions effectuées après sa publication ; la version en vigueur est toujours disponible dans le
Manager.
""",
    ),
    "de": (
        "Allgemeine Geschäftsbedingungen für die Nutzung des Managers",
        """\
Diese Allgemeinen Geschäftsbedingungen regeln die Nutzung des Managers, der Kundenoberfläche, über
die eine Organisation die Produkte hält und verwaltet, die sie beim Anbieter abonniert hat. Sie
gelten zusätzlich zu den besonderen Bedingungen des jeweiligen Produkts. Mit ihrer Annahme erklären
Sie, dass Sie berechtigt sind, für die betreffende Organisation zu handeln.

1. Organisationen und Rollen

1.1 Jedes Produkt wird jederzeit von genau einer Organisation gehalten. Die Organisation ist für
dieses Produkt die Vertragspartei des Anbieters; ihr wird das Produkt in Rechnung gestellt, und sie
haftet für seine Nutzung.

1.2 Jede Organisation hat mindestens einen gesetzlichen Vertreter. Gesetzliche Vertreter und
Administratoren können Produkte, Mitglieder, Arbeitsteams und Übertragungen verwalten; Mitarbeiter
können nur die Produkte nutzen, auf die ihnen Zugriff gewährt wurde.

1.3 Sie sind verpflichtet, Ihre Zugangsdaten geheim zu halten. Jede Handlung, die mit Ihrem Konto oder mit einem Ihrer
persönlichen API-Tokens vorgenommen wird, gilt als von Ihnen vorgenommen.

2. Übertragung von Produkten zwischen Organisationen

2.1 Ein gesetzlicher Vertreter oder ein Administrator kann ein oder mehrere Produkte seiner
Organisation an eine andere Organisation übertragen. Mit der Übertragung gehen die Verwaltung und die
Abrechnung der Produkte ab dem Zeitpunkt ihres Abschlusses auf die andere Organisation über; der
Inhaber (Registrant) eines Domainnamens ändert sich dadurch nicht.

2.2 Der Dienst wird nicht unterbrochen: Das Produkt läuft mit seinen Daten und seiner Konfiguration
während und nach der Übertragung weiter.

2.3 Rechnungen werden nicht übertragen. Vor der Übertragung ausgestellte Rechnungen, einschließlich
derjenigen, in denen die übertragenen Produkte genannt sind, verbleiben bei der Organisation, an die
sie ausgestellt wurden; diese bleibt zu ihrer Zahlung verpflichtet. Der empfangenden Organisation
werden die Produkte ab der nächsten Verlängerung in Rechnung gestellt.

2.4 Die Benutzer, die Zugriff auf ein übertragenes Produkt hatten, verlieren diesen Zugriff, ebenso
die Arbeitsteams der übertragenden Organisation, sofern die Bedingungen des Produkts nichts anderes
vorsehen. Bei kDrive werden die Benutzer mit Zugriff der empfangenden Organisation als Mitarbeiter
hinzugefügt und können das Laufwerk weiter nutzen; ihre Verwaltungsrechte bleiben nicht erhalten.

2.5 Einige Produkte können nicht übertragen werden: kSuite und my kSuite; für Jelastic Cloud gilt
ein eigenes Verfahren. Ein gesperrtes oder abgelaufenes Produkt sowie ein Produkt, das bereits Teil
einer ausstehenden Übertragung ist, kann nicht in eine neue Übertragung aufgenommen werden.

2.6 Ein Übertragungslink verleiht jeder Person, die ihn besitzt, die Befugnis, die Produkte für eine
von ihr verwaltete Organisation zu empfangen. Geben Sie ihn nur an den vorgesehenen Empfänger
weiter. Der Link kann einmal verwendet werden, läuft nach der bei seiner Erstellung angegebenen Frist
ab und kann, solange die Übertragung aussteht, jederzeit ersetzt oder storniert werden. Ein an eine
E-Mail-Adresse gesendeter Link kann, sofern Sie nichts anderes bestimmen, nur von einem Benutzer
verwendet werden, der sich mit dieser Adresse anmeldet.

2.7 Der Empfänger muss gesetzlicher Vertreter oder Administrator der empfangenden Organisation sein
und diese Allgemeinen Geschäftsbedingungen annehmen. Der Empfang erfolgt ganz oder gar nicht:
Entweder werden alle Produkte der Übertragung verschoben oder keines.

2.8 Beide Organisationen werden benachrichtigt, wenn eine Übertragung abgeschlossen ist, und die
Übertragung wird im Audit-Protokoll jeder der beiden festgehalten.

3. Aufzeichnungen

3.1 Der Anbieter zeichnet jede Annahme dieser Allgemeinen Geschäftsbedingungen auf (wer, für welche
Organisation, welche Version, wann, von welcher IP-Adresse aus und in welchem Schritt) und führt ein
Audit-Protokoll der in jeder Organisation vorgenommenen Handlungen. Diese Aufzeichnungen dienen
zwischen den Parteien als Beweismittel.

4. Änderungen

4.1 Der Anbieter kann diese Allgemeinen Geschäftsbedingungen ändern. Die neue Version gilt für
Handlungen, die nach ihrer Veröffentlichung vorgenommen werden; die geltende Version ist jederzeit im
Manager abrufbar.
""",
    ),
    "it": (
        "Condizioni generali di utilizzo del Manager",
        """\
Le presenti condizioni generali disciplinano l'utilizzo del Manager, l'interfaccia cliente tramite la
quale un'Organizzazione detiene e gestisce i prodotti che ha sottoscritto presso il fornitore. Esse
si applicano in aggiunta alle condizioni particolari di ciascun prodotto. Accettandole, Lei dichiara
di essere autorizzato ad agire per conto dell'Organizzazione interessata.

1. Organizzazioni e ruoli

1.1 Ogni prodotto è detenuto in ogni momento da una sola Organizzazione. L'Organizzazione è la
controparte contrattuale del fornitore per tale prodotto: il prodotto le viene fatturato ed essa
risponde del suo utilizzo.

1.2 Ogni Organizzazione ha almeno un rappresentante legale. I rappresentanti legali e gli
amministratori possono gestire prodotti, membri, team di lavoro e trasferimenti; i collaboratori
possono soltanto utilizzare i prodotti ai quali è stato loro concesso l'accesso.

1.3 Lei è tenuto a mantenere segrete le Sue credenziali. Ogni azione compiuta con il Suo account o con
uno dei Suoi token API personali si considera compiuta da Lei.

2. Trasferimento di prodotti tra Organizzazioni

2.1 Un rappresentante legale o un amministratore può trasferire uno o più prodotti della propria
Organizzazione a un'altra Organizzazione. Il trasferimento sposta la gestione e la fatturazione dei
prodotti a partire dalla data in cui è completato; non modifica il titolare (registrante) di un nome
di dominio.

2.2 Il servizio non viene interrotto: il prodotto continua a funzionare, con i suoi dati e la sua
configurazione, durante e dopo il trasferimento.

2.3 Le fatture non vengono trasferite. Le fatture emesse prima del trasferimento, comprese quelle che
menzionano i prodotti trasferiti, restano all'Organizzazione alla quale sono state emesse, che rimane
tenuta al loro pagamento. All'Organizzazione ricevente i prodotti vengono fatturati a partire dal
rinnovo successivo.

2.4 Gli utenti che avevano accesso a un prodotto trasferito perdono tale accesso, così come i team di
lavoro dell'Organizzazione cedente, salvo che le condizioni proprie del prodotto dispongano
diversamente. Per kDrive, gli utenti con accesso vengono aggiunti all'Organizzazione ricevente come
collaboratori e continuano a utilizzare il drive; i loro diritti di gestione non vengono mantenuti.

2.5 Alcuni prodotti non possono essere trasferiti: kSuite e my kSuite; Jelastic Cloud segue una
propria procedura. Un prodotto sospeso o scaduto, oppure un prodotto già compreso in un trasferimento
in sospeso, non può essere inserito in un nuovo trasferimento.

2.6 Un link di trasferimento conferisce a chiunque lo possieda il potere di ricevere i prodotti in
un'Organizzazione che amministra. Lo condivida soltanto con il destinatario previsto. Il link può
essere utilizzato una sola volta, scade al termine del periodo indicato al momento della sua
creazione e può essere sostituito o annullato in qualsiasi momento finché il trasferimento è in
sospeso. Un link inviato a un indirizzo e-mail può, salvo Sua diversa decisione, essere utilizzato
soltanto da un utente che accede con tale indirizzo.

2.7 Il destinatario deve essere rappresentante legale o amministratore dell'Organizzazione ricevente
e deve accettare le presenti condizioni generali. La ricezione avviene secondo il principio del tutto
o niente: o vengono spostati tutti i prodotti del trasferimento, o nessuno.

2.8 Entrambe le Organizzazioni vengono informate quando un trasferimento è completato, e ne viene
conservata traccia nel registro di audit di ciascuna.

3. Registrazioni

3.1 Il fornitore registra ogni accettazione delle presenti condizioni generali (chi, per quale
Organizzazione, quale versione, quando, da quale indirizzo IP e in quale fase) e tiene un registro di
audit delle azioni compiute in ciascuna Organizzazione. Tali registrazioni fanno prova tra le parti.

4. Modifiche

4.1 Il fornitore può modificare le presenti condizioni generali. La nuova versione si applica alle
azioni compiute dopo la sua pubblicazione; la versione in vigore è sempre disponibile nel Manager.
""",
    ),
    "es": (
        "Condiciones generales de uso del Manager",
        """\
Las presentes condiciones generales rigen el uso del Manager, la interfaz de cliente mediante la cual
una Organización posee y gestiona los productos que tiene contratados con el proveedor. Se aplican
además de las condiciones particulares de cada producto. Al aceptarlas, usted declara estar
autorizado para actuar en nombre de la Organización de que se trate.

1. Organizaciones y roles

1.1 Cada producto pertenece en todo momento a una única Organización. La Organización es la parte
contratante del proveedor para dicho producto: se le factura el producto y responde de su uso.

1.2 Cada Organización tiene al menos un representante legal. Los representantes legales y los
administradores pueden gestionar productos, miembros, equipos de trabajo y transferencias; los
colaboradores solo pueden usar los productos a los que se les haya dado acceso.

1.3 Usted debe mantener en secreto sus credenciales. Toda acción realizada con su cuenta o con uno de
sus tokens de API personales se considerará realizada por usted.

2. Transferencia de productos entre Organizaciones

2.1 Un representante legal o un administrador puede transferir uno o varios productos de su
Organización a otra Organización. La transferencia traslada la gestión y la facturación de los
productos a partir de la fecha en que se completa; no modifica el titular (registrante) de un nombre
de dominio.

2.2 El servicio no se interrumpe: el producto sigue funcionando, con sus datos y su configuración,
durante y después de la transferencia.

2.3 Las facturas no se transfieren. Las facturas emitidas antes de la transferencia, incluidas las que
mencionan los productos transferidos, permanecen en la Organización a la que se emitieron, que sigue
siendo responsable de su pago. A la Organización receptora se le facturan los productos a partir de
la próxima renovación.

2.4 Los usuarios que tenían acceso a un producto transferido pierden dicho acceso, al igual que los
equipos de trabajo de la Organización cedente, salvo que las condiciones propias del producto
dispongan otra cosa. En el caso de kDrive, los usuarios con acceso se añaden a la Organización
receptora como colaboradores y conservan el uso del drive; sus derechos de gestión no se conservan.

2.5 Algunos productos no pueden transferirse: kSuite y my kSuite; Jelastic Cloud sigue su propio
procedimiento. Un producto suspendido o caducado, o un producto que ya forma parte de una
transferencia pendiente, no puede incluirse en una nueva transferencia.

2.6 Un enlace de transferencia otorga a quien lo posea la facultad de recibir los productos en una
Organización que administre. Compártalo únicamente con el destinatario previsto. El enlace puede
utilizarse una sola vez, caduca una vez transcurrido el plazo indicado al crearlo y puede sustituirse
o cancelarse en cualquier momento mientras la transferencia esté pendiente. Un enlace enviado a una
dirección de correo electrónico solo puede ser utilizado, salvo que usted decida otra cosa, por un
usuario que inicie sesión con esa dirección.

2.7 El destinatario debe ser representante legal o administrador de la Organización receptora y debe
aceptar las presentes condiciones generales. La recepción es de todo o nada: o se trasladan todos los
productos de la transferencia, o no se traslada ninguno.

2.8 Ambas Organizaciones son informadas cuando se completa una transferencia, y queda constancia de
ella en el registro de auditoría de cada una.

3. Registros

3.1 El proveedor registra cada aceptación de las presentes condiciones generales (quién, para qué
Organización, qué versión, cuándo, desde qué dirección IP y en qué paso) y lleva un registro de
auditoría de las acciones realizadas en cada Organización. Estos registros sirven como prueba entre
las partes.

4. Modificaciones

4.1 El proveedor puede modificar las presentes condiciones generales. La nueva versión se aplica a las
acciones realizadas después de su publicación; la versión vigente está siempre disponible en el
Manager.
""",
    ),
}


def _reflow(text: str) -> str:
    """One line per paragraph, as 0002 stores the English text: it reflows to any width."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.strip().split("\n\n"))


def translate(apps, schema_editor):
    GeneralConditions = apps.get_model("terms", "GeneralConditions")
    ConditionsTranslation = apps.get_model("terms", "ConditionsTranslation")
    conditions = GeneralConditions.objects.filter(version=VERSION).first()
    if conditions is None:  # a database whose operator removed the version before publishing another
        return
    for language, (title, body) in TEXTS.items():
        ConditionsTranslation.objects.get_or_create(
            conditions=conditions, language=language, defaults={"title": title, "body": _reflow(body)}
        )


class Migration(migrations.Migration):
    dependencies = [("terms", "0003_conditions_in_languages")]

    # Kept on rollback, like the English text: acceptances may already refer to these texts.
    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]
